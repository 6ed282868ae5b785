// agora: the user CLI (keys today; tx and query later). All logic lives in
// node/cli so tests and other binaries can reuse it.
#include "node/cli/AgoraCli.h"

int main(int argc, char** argv) {
    return agora::node::cli::runAgoraCli(argc, argv);
}

// agora-test-shim: the process runtime's shim as its own executable, for the
// runtime tests (the shipped binary is `agora-provider shim --dir D`).

#include "node/provider/runtime/Shim.h"

int main(int argc, char** argv) {
    return agora::provider::shimMain(argc, argv);
}

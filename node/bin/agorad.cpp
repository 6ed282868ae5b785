// agorad: the Agora full node daemon.
#include "node/daemon/AgoradCli.h"

int main(int argc, char** argv) {
    return agora::node::runAgorad(argc, argv);
}

# cmake -DBINARY=<file> -DEXPECT=absent|present -P CheckClientLink.cmake
# Whether a binary carries the node's storage and network stack: LevelDB in its
# shared-library list (ldd), or LevelDB, Beast or node-only classes among its
# symbols (nm). `agora` must hold none (EXPECT=absent: it links agora_cli
# only); `agorad` is the control that shows the check sees them (EXPECT=present).
if(NOT EXISTS "${BINARY}")
  message(FATAL_ERROR "no binary at '${BINARY}'")
endif()
execute_process(COMMAND ldd "${BINARY}" OUTPUT_VARIABLE libs RESULT_VARIABLE ldd_rc)
execute_process(COMMAND nm -C "${BINARY}" OUTPUT_VARIABLE symbols RESULT_VARIABLE nm_rc)
if(NOT ldd_rc EQUAL 0 OR NOT nm_rc EQUAL 0 OR NOT libs MATCHES "libgrpc" OR symbols STREQUAL "")
  message(FATAL_ERROR "cannot read the links and symbols of ${BINARY} (ldd ${ldd_rc}, nm ${nm_rc})")
endif()
set(found "")
if(libs MATCHES "libleveldb")
  list(APPEND found "libleveldb (ldd)")
endif()
foreach(pattern "leveldb::" "boost::beast::" "agora::node::BlockStore" "agora::node::PeerManager"
                "agora::node::Application")
  string(FIND "${symbols}" "${pattern}" at)
  if(NOT at EQUAL -1)
    list(APPEND found "${pattern} (nm)")
  endif()
endforeach()
if(EXPECT STREQUAL "absent" AND found)
  message(FATAL_ERROR "${BINARY} carries node internals: ${found}")
elseif(EXPECT STREQUAL "present" AND NOT found)
  message(FATAL_ERROR "the check found nothing of the node in ${BINARY}: it cannot see what it looks for")
elseif(NOT EXPECT STREQUAL "absent" AND NOT EXPECT STREQUAL "present")
  message(FATAL_ERROR "EXPECT must be absent or present")
endif()
message(STATUS "${BINARY}: node internals ${EXPECT} (${found})")

# `cmake --install` and `cpack -G DEB`: lab, its man page and bash completion (labs/CMakeLists.txt), the classroom
# scripts the help and the README use, the walkthroughs, and the licence. The .deb's dependencies are found by
# dpkg-shlibdeps from what the binary links (libpcap, fmt, libstdc++), so they match the release it is built on.
include(GNUInstallDirs)
install(FILES README.md LICENSE DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY walkthroughs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/walkthroughs FILES_MATCHING PATTERN "*.md")
install(DIRECTORY classroom/ DESTINATION ${CMAKE_INSTALL_DATADIR}/lab/classroom FILES_MATCHING PATTERN "*.py")

set(LAB_PACKAGE_MAINTAINER "lab developers <maintainers@lab.invalid>" CACHE STRING
    "The .deb's Maintainer field: set it to whoever builds the package for a lab room")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME lab)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${LAB_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "socket lab that shows what TCP and UDP really put on the wire")
# The long description; CPack puts the summary line above it and indents each line as Debian wants.
string(CONCAT CPACK_PACKAGE_DESCRIPTION
       "lab runs a TCP or UDP echo exchange in private network namespaces, captures\n"
       "its packets and explains each one: the handshake, the sequence arithmetic,\n"
       "the teardown with each side's TCP state, RST. It also explains any capture\n"
       "file or live traffic, injects faults on a wire of its own between two hosts,\n"
       "and keeps a two-host classroom network up for a class's own scripts.")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "python3, tshark, wireshark")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # lab_0.1.0_amd64.deb
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR}/package)
include(CPack)

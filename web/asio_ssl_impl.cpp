// Asio's SSL layer's compiled part, built once, for web/ alone (ASIO_SEPARATE_COMPILATION: echo/asio_impl.cpp builds
// the rest of Asio's): only lab_web links OpenSSL, so the echo programs and their tests do not.
#include <asio/ssl/impl/src.hpp>

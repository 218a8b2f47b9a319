// The legacy SIOCETHTOOL commands, one per feature group: simpler than ETHTOOL_SFEATURES, which needs the
// kernel's table of feature names first, and they cover all we need. The kernel also drops features that
// depend on these (TSO needs scatter-gather and checksum offload).
#include "labs/net/offloads.hpp"

#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "labs/net/netns.hpp"

namespace lab::labs {

void disable_offloads(const std::string& name) {
  struct Feature {
    std::uint32_t command;
    const char* what;
  };
  static constexpr Feature features[] = {
      {ETHTOOL_STSO, "TCP segmentation offload"},  // first: it depends on the next two
      {ETHTOOL_SSG, "scatter-gather"},
      {ETHTOOL_STXCSUM, "transmit checksum offload"},
      {ETHTOOL_SGSO, "generic segmentation offload"},
      {ETHTOOL_SGRO, "generic receive offload"},
  };
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw NetnsError(std::string("cannot build the lab's two hosts: socket(): ") + std::strerror(errno));
  for (const Feature& feature : features) {
    ethtool_value value{};
    value.cmd = feature.command;
    value.data = 0;  // off
    ifreq request{};
    std::strncpy(request.ifr_name, name.c_str(), IFNAMSIZ - 1);
    request.ifr_data = reinterpret_cast<char*>(&value);
    if (ioctl(fd, SIOCETHTOOL, &request) != 0) {
      const int error = errno;
      close(fd);
      throw NetnsError("cannot build the lab's two hosts: turning off " + std::string(feature.what) + " on " + name +
                       " (SIOCETHTOOL): " + std::strerror(error) + " — this kernel's veth driver is unusual; "
                       "please report it");
    }
  }
  close(fd);
}

}  // namespace lab::labs

// A network namespace is a private copy of the network stack: its own interfaces, routes, firewall and port
// numbers. A fresh one holds a single interface, a loopback "lo" that is down. The lab moves itself into one
// so that its servers, clients and capture see only the lab's own packets and clash with no other program.
//
// Creating a network namespace needs CAP_SYS_ADMIN. root has it; a normal user gets it by first creating a
// user namespace, in which it is root (uid 0) with every capability, over the namespaces it creates there.
// That is what `unshare -rn` does, and it is enough to capture on the private "lo" without sudo.
#include "labs/net/netns.hpp"

#include <fcntl.h>
#include <linux/capability.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

namespace lab::labs {

namespace {

const std::string failed = "cannot create a private network namespace: ";
const std::string or_else = ", or run lab with sudo, or use --netns host with capture rights";

// A number from /proc (a sysctl, a field of /proc/self/status); -1 when the file or field does not exist.
long read_number(const char* path, const std::string& field = "") {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (field.empty()) return std::strtol(line.c_str(), nullptr, 10);
    if (line.starts_with(field + ":")) return std::strtol(line.c_str() + field.size() + 1, nullptr, 10);
  }
  return -1;
}

// Whether "/" is the root of this process's mount namespace. Where it is not (chroot), the kernel refuses new
// user namespaces with EPERM. /proc/1/root is init's root: readable by root, compared with ours by inode. Without
// the right to read it, mountinfo tells: its mount points are relative to our root, and "/" is listed only if our
// root is a mount point (a chroot into a plain folder is not).
bool root_is_not_the_namespace_root() {
  struct stat ours{}, init{};
  if (stat("/", &ours) != 0) return false;
  if (stat("/proc/1/root/", &init) == 0) return ours.st_dev != init.st_dev || ours.st_ino != init.st_ino;
  std::ifstream mountinfo("/proc/self/mountinfo");
  if (!mountinfo) return false;  // no /proc: we cannot tell
  std::string id, parent, device, root, mount_point;
  std::string rest;
  while (mountinfo >> id >> parent >> device >> root >> mount_point) {
    if (mount_point == "/") return false;
    std::getline(mountinfo, rest);
  }
  return true;
}

// Why the kernel refused `step` (errno `error`) while we made a user namespace, and what to do about it.
NetnsError refusal(const std::string& step, int error) {
  const std::string cause = "(" + step + ": " + std::strerror(error) + ")";
  if (error == EINVAL && read_number("/proc/self/status", "Threads") > 1)
    return NetnsError(failed + "the process already runs several threads " + cause +
                      " — a programmer error: call enter_private_network() before starting any thread");
  if (read_number("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == 1)
    return NetnsError(failed + "AppArmor forbids unprivileged user namespaces here " + cause +
                      " — allow them with: sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0" + or_else);
  if (read_number("/proc/sys/user/max_user_namespaces") == 0)
    return NetnsError(failed + "user namespaces are switched off (user.max_user_namespaces = 0) " + cause +
                      " — allow them with: sudo sysctl -w user.max_user_namespaces=10000" + or_else);
  if (read_number("/proc/sys/kernel/unprivileged_userns_clone") == 0)
    return NetnsError(failed + "unprivileged user namespaces are switched off " + cause +
                      " — allow them with: sudo sysctl -w kernel.unprivileged_userns_clone=1" + or_else);
  if (error == EPERM && step.starts_with("unshare") && root_is_not_the_namespace_root())
    return NetnsError(failed + "this process runs in a chroot, and the kernel gives no user namespace to a chrooted "
                      "process " + cause + " — run lab outside the chroot, or as root, or enter the system with "
                      "pivot_root in a new mount namespace instead of chroot (as tests/fresh/run.sh does)");
  if (error == EACCES && prctl(PR_GET_DUMPABLE) == 0)
    return NetnsError(failed + "the process changed its user id, so /proc/self belongs to root " + cause +
                      " — a programmer error: call prctl(PR_SET_DUMPABLE, 1) after dropping privileges");
  if (error == EPERM && read_number("/proc/self/status", "Seccomp") == 2)
    return NetnsError(failed + "a seccomp filter (a container's default profile) forbids it " + cause +
                      " — run the container with --security-opt seccomp=unconfined or --privileged, "
                      "or use --netns host with capture rights");
  return NetnsError(failed + cause + " — check that this kernel has user and network namespaces" + or_else);
}

// Writes one line to a /proc file in a single write(), as the kernel requires for the id maps.
int write_proc(const char* path, const std::string& text) {
  const int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  const bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  const int error = ok ? 0 : errno;
  close(fd);
  return error;
}

// A copy of lab given capture rights with setcap runs "non-dumpable": its /proc/self belongs to root, so it could
// not write its own uid_map. Inside the namespace it needs none of those rights, so it gives them all up first;
// with nothing left to take, it may be dumpable again (the kernel's rule for a process that dropped privileges).
void drop_file_capabilities() {
  if (prctl(PR_GET_DUMPABLE) != 0) return;  // nothing was given: a plain run
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct none[_LINUX_CAPABILITY_U32S_3]{};
  if (syscall(SYS_capset, &header, none) != 0) return;  // keep them: the uid_map step will say what failed
  prctl(PR_SET_DUMPABLE, 1);
}

// A user namespace in which our user is root, and a network namespace owned by it. There is no way back: if a
// step after unshare() fails, the process stays in the new namespaces, so the caller reports the error and exits.
void enter_user_and_network_namespace(int extra_flags) {
  const uid_t uid = geteuid();  // read before unshare: afterwards we are "nobody" until the maps exist
  const gid_t gid = getegid();
  if (unshare(CLONE_NEWUSER | CLONE_NEWNET | extra_flags) != 0) {
    const bool pids = (extra_flags & CLONE_NEWPID) != 0;
    throw refusal(pids ? "unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWPID)" : "unshare(CLONE_NEWUSER | CLONE_NEWNET)",
                  errno);
  }
  // Map uid 0 inside to our uid outside, one id long. The gid map is allowed only after giving up
  // setgroups(), which could otherwise drop a group that denies us access to something.
  int error = write_proc("/proc/self/setgroups", "deny");
  if (error != 0 && error != ENOENT) throw refusal("writing /proc/self/setgroups", error);  // ENOENT: kernel < 3.19
  if ((error = write_proc("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1")) != 0)
    throw refusal("writing /proc/self/uid_map", error);
  if ((error = write_proc("/proc/self/gid_map", "0 " + std::to_string(gid) + " 1")) != 0)
    throw refusal("writing /proc/self/gid_map", error);
}

// `ip link set lo up` without the ip binary: read the interface flags, add IFF_UP, write them back.
void bring_loopback_up() {
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw NetnsError(failed + "socket(): " + std::strerror(errno));
  ifreq request{};
  std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
  int error = 0;
  if (ioctl(fd, SIOCGIFFLAGS, &request) != 0) {
    error = errno;
  } else {
    request.ifr_flags = static_cast<short>(request.ifr_flags | IFF_UP);
    if (ioctl(fd, SIOCSIFFLAGS, &request) != 0) error = errno;
  }
  close(fd);
  // EPERM here means the namespace was made but gives no capabilities (AppArmor does that on Ubuntu).
  if (error != 0) throw refusal("bringing lo up (ioctl SIOCSIFFLAGS)", error);
}

}  // namespace

void enter_private_network(bool own_pids) {
  const int extra_flags = own_pids ? CLONE_NEWPID : 0;
  if (geteuid() == 0) {
    if (unshare(CLONE_NEWNET | extra_flags) == 0) {
      bring_loopback_up();
      return;
    }
    // root without CAP_SYS_ADMIN (a container) gets EPERM and, like a normal user, tries a user namespace.
    if (errno != EPERM) throw refusal(own_pids ? "unshare(CLONE_NEWNET | CLONE_NEWPID)" : "unshare(CLONE_NEWNET)", errno);
  }
  drop_file_capabilities();
  enter_user_and_network_namespace(extra_flags);
  bring_loopback_up();
}

}  // namespace lab::labs

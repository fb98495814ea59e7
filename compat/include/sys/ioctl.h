/*
 * sys/ioctl.h overlay for the static musl build: musl declares
 * ioctl(int, int, ...), so a request such as _IOWR(0xFF, 11, ...) above
 * INT_MAX would warn; pass it on as the int the kernel truncates it to.
 */
#ifndef GK_COMPAT_SYS_IOCTL_H
#define GK_COMPAT_SYS_IOCTL_H

#include_next <sys/ioctl.h>

#define ioctl(fd, request, ...)	ioctl((fd), (int)(request), __VA_ARGS__)

#endif

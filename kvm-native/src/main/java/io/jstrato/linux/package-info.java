/**
 * Linux primitives through FFM: errno as {@link io.jstrato.linux.LinuxException}, eventfd(2), anonymous
 * mmap(2) for guest RAM, positional file I/O with O_DIRECT and flock(2), tap devices
 * (https://docs.kernel.org/networking/tuntap.html), raw terminals (termios(3)), thread ids and the signal
 * that kicks a vCPU thread out of KVM_RUN. Every call returns a result or -errno ({@link io.jstrato.linux.Libc}).
 */
package io.jstrato.linux;

/**
 * Raw file descriptors (eventfds, taps, stdin) watched on Netty's epoll event loops through its public
 * {@code IoHandle} API, so device notifications share the loops with QMP and nothing needs a thread of its own.
 */
package io.jstrato.vmm.io;

/**
 * A QMP server that knows no VM: Unix domain sockets on Netty epoll, a pipeline of one-job handlers
 * ({@link io.jstrato.qmp.QmpFrameSplitter} → {@link io.jstrato.qmp.QmpJsonDecoder} →
 * {@link io.jstrato.qmp.QmpRequestValidator} → {@link io.jstrato.qmp.QmpDispatcher}, and
 * {@link io.jstrato.qmp.QmpEncoder} outbound), a {@link io.jstrato.qmp.QmpCommandRegistry} the VMM fills at
 * start-up, and {@link io.jstrato.qmp.QmpEvents}, the broadcaster of asynchronous events.
 *
 * <p>Protocol: QEMU Machine Protocol specification, {@code docs/interop/qmp-spec.rst} in QEMU
 * (sections "Protocol Specification", "Server Greeting", "Issuing Commands", "Commands Responses",
 * "Asynchronous events"), https://www.qemu.org/docs/master/interop/qmp-spec.html; this project's contract
 * is {@code docs/QMP.md}, which follows StratoVirt's microVM where the two differ.
 */
package io.jstrato.qmp;

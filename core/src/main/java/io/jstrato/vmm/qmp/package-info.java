/**
 * The QMP commands of docs/QMP.md that need the VM (lifecycle, queries, hot-plug, migration) and the events its
 * run-state changes become, registered explicitly in qmp-netty's registry. Commands validate their arguments on
 * the event loop and hand anything that changes the VM to the lifecycle's control thread.
 */
package io.jstrato.vmm.qmp;

/**
 * The entry point and the composition root: {@code Main} parses the command line and turns every failure into
 * one line and an exit status (docs/CLI.md); {@code Vmm} makes one VM from its {@code VmConfig} in a fixed order
 * (lifecycle, QMP commands and sockets, machine, start) and ends it (docs/DESIGN.md, "Composition").
 * {@code StartupTraining} is the start-up path the build runs once to train the AOT cache.
 */
package io.jstrato.vmm;

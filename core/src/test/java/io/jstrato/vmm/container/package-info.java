/**
 * The container image ({@code Dockerfile} at the top level) under test with Testcontainers: the image is built
 * through the Docker Engine API (the legacy builder, as {@code DOCKER_BUILDKIT=0 docker build}), then run the way
 * the README says: {@code --device /dev/kvm}, the QMP socket directory {@code /run/jstrato} as a volume, and the
 * seed's QMP session driven from the host through the socket.
 *
 * <p>Specifications: the Dockerfile reference (multi-stage builds, {@code HEALTHCHECK}, {@code VOLUME}),
 * https://docs.docker.com/reference/dockerfile/ ; the QMP specification,
 * https://www.qemu.org/docs/master/interop/qmp-spec.html ; Testcontainers, https://java.testcontainers.org/ .
 *
 * <p>Without a Docker engine these tests skip with the reason; under {@code CI=true} that is a failure
 * ({@code .ci/docker-setup} provides the engine and the local base images).
 */
package io.jstrato.vmm.container;

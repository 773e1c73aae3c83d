package io.jstrato.vmm.container;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.testcontainers.DockerClientFactory;

/** Whether a Docker engine answers: tests skip without one, except under {@code CI=true}, where they fail. */
final class DockerEngine {
    private DockerEngine() {}

    static void require() {
        if (DockerClientFactory.instance().isDockerAvailable()) {
            return;
        }
        String why = "no Docker engine answers (DOCKER_HOST or /var/run/docker.sock); .ci/docker-setup starts one";
        if ("true".equals(System.getenv("CI"))) {
            fail("CI=true but " + why);
        }
        assumeTrue(false, "skipped: " + why);
    }
}

package io.jstrato.vmm.container;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.testcontainers.DockerClientFactory;

/** Whether a Docker engine answers: tests skip without one, except under {@code CI=true}, where they fail. */
final class DockerEngine {
    private DockerEngine() {}

    static void require() {
        boolean available = DockerClientFactory.instance().isDockerAvailable();
        String why = "no Docker engine answers (DOCKER_HOST or /var/run/docker.sock); .ci/docker-setup starts one";
        // As with KVM: under CI=true a missing engine fails, unless .ci/run found none could be started and
        // said so loudly (JSTRATO_CI_WITHOUT_DOCKER holds its reason).
        String declared = System.getenv("JSTRATO_CI_WITHOUT_DOCKER");
        boolean ciDeclared = declared != null && !declared.isBlank();
        if (!available && "true".equals(System.getenv("CI")) && !ciDeclared) {
            fail("CI=true but " + why);
        }
        assumeTrue(available, () -> "skipped: " + why + (ciDeclared ? " (" + declared + ")" : ""));
    }
}

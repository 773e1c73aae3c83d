package io.jstrato.vmm.container;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import java.time.Duration;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.OutputFrame.OutputType;
import org.testcontainers.containers.startupcheck.StartupCheckStrategy;

/**
 * Runs a container to its end, whatever its exit status (Testcontainers' one-shot check accepts only 0, and the
 * VMM's failures exit 1 or 2), and returns what it printed.
 */
final class RunToExit extends StartupCheckStrategy {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    /** What a finished container left: its exit status and its two output streams. */
    record Result(long exitCode, String stdout, String stderr) {}

    private RunToExit() {
        withTimeout(TIMEOUT);
    }

    static Result run(GenericContainer<?> container) {
        try (container) {
            container.withStartupCheckStrategy(new RunToExit()).start();
            InspectContainerResponse.ContainerState state = container
                    .getDockerClient()
                    .inspectContainerCmd(container.getContainerId())
                    .exec()
                    .getState();
            return new Result(
                    state.getExitCodeLong(),
                    container.getLogs(OutputType.STDOUT),
                    container.getLogs(OutputType.STDERR));
        }
    }

    @Override
    public StartupStatus checkStartupState(DockerClient docker, String containerId) {
        InspectContainerResponse.ContainerState state = getCurrentState(docker, containerId);
        if (Boolean.TRUE.equals(state.getRunning()) || "created".equals(state.getStatus())) {
            return StartupStatus.NOT_YET_KNOWN;
        }
        return StartupStatus.SUCCESSFUL;
    }
}

package io.jstrato.vmm.container;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.BuildImageCmd;
import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.testcontainers.DockerClientFactory;

/**
 * The image the top-level Dockerfile makes, built through the Docker API (the legacy builder) from the
 * repository as the context ({@code .dockerignore} applies). Kept after the tests, so its layers stay in the
 * builder's cache and the next build of unchanged sources takes seconds.
 *
 * <p>Not {@code ImageFromDockerfile}: it first pulls every {@code FROM} image it finds, which here (no registry)
 * costs minutes of retries before the build even starts; docker-java's build command, on the client
 * Testcontainers configured, does exactly the build.
 */
final class JstratoImage {
    static final String NAME = "jstrato:it";
    /** The image's user (Dockerfile: useradd --uid 10001). */
    static final int USER_ID = 10001;

    static final String SOCKET_DIR = "/run/jstrato";
    static final String SOCKET = SOCKET_DIR + "/qmp.sock";
    /** From nothing the build downloads Maven and the dependencies (measured: under 2 minutes here). */
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(8);

    /** The stand-ins .ci/docker-setup makes, used when present (no registry here), else the Dockerfile's defaults. */
    private static final Map<String, String> LOCAL_BASES = Map.of(
            "BUILD_BASE", "jstrato-local/temurin:25-jdk",
            "RUNTIME_BASE", "jstrato-local/debian:bookworm");

    private JstratoImage() {}

    /** Builds (or finds in the build cache) the image and returns its name. */
    static String build() {
        Path home = Path.of(System.getProperty("jstrato.home", ".."))
                .toAbsolutePath()
                .normalize();
        Path dockerfile = home.resolve("Dockerfile");
        if (!Files.isRegularFile(dockerfile)) {
            throw new IllegalStateException("no Dockerfile at " + dockerfile + " (system property jstrato.home)");
        }
        DockerClient docker = DockerClientFactory.instance().client();
        BuildImageCmd build = docker.buildImageCmd()
                .withBaseDirectory(home.toFile())
                .withDockerfile(dockerfile.toFile())
                .withTags(Set.of(NAME))
                .withPull(false);
        buildArgs(docker).forEach(build::withBuildArg);
        build.exec(new BuildImageResultCallback()).awaitImageId(BUILD_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        return NAME;
    }

    private static Map<String, String> buildArgs(DockerClient docker) {
        Map<String, String> args = new LinkedHashMap<>();
        LOCAL_BASES.forEach((arg, base) -> {
            if (exists(docker, base)) {
                args.put(arg, base);
            }
        });
        return args;
    }

    private static boolean exists(DockerClient docker, String image) {
        try {
            docker.inspectImageCmd(image).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    /** The test guests the build made (guests/build): mounted read-only into the container at /guests. */
    static Path guests() {
        return Path.of(System.getProperty("jstrato.guests", "../guests/build"))
                .toAbsolutePath()
                .normalize();
    }
}

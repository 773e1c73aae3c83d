# jstrato in a container: the VMM with /dev/kvm passed in and its QMP socket on a volume.
#
#   docker build -t jstrato .
#   install -d -o 10001 /tmp/jstrato     # the socket directory, writable by the image's user (uid 10001)
#   docker run --rm --device /dev/kvm --group-add "$(stat -c %g /dev/kvm)" -v /tmp/jstrato:/run/jstrato \
#       -v "$PWD/guests/build:/guests:ro" jstrato -kernel /guests/counter.elf -qmp unix:/run/jstrato/qmp.sock,server,nowait
#   ncat -U /tmp/jstrato/qmp.sock
#
# Where no registry is reachable, .ci/docker-setup makes local stand-ins for the two bases (debootstrap +
# docker import; the JDK sits at /opt/java/openjdk as in the eclipse-temurin images):
#   --build-arg BUILD_BASE=jstrato-local/temurin:25-jdk --build-arg RUNTIME_BASE=jstrato-local/debian:bookworm
# Plain Dockerfile syntax only: the legacy builder (DOCKER_BUILDKIT=0) builds it, and so does the Docker API
# that Testcontainers calls.
ARG BUILD_BASE=eclipse-temurin:25-jdk
ARG RUNTIME_BASE=debian:bookworm-slim

FROM ${BUILD_BASE} AS build
WORKDIR /src
# Maven itself, the plugins and the dependencies first, from the poms alone (an empty reactor is packaged), so
# this layer is reused until a pom changes. The Maven wrapper fetches Maven from Central with Java alone.
COPY mvnw pom.xml ./
COPY .mvn .mvn
COPY kvm-native/pom.xml kvm-native/
COPY devices/pom.xml devices/
COPY qmp-netty/pom.xml qmp-netty/
COPY core/pom.xml core/
COPY bench/pom.xml bench/
# exec.skip: the C test guests are not part of the image (a guest kernel is the user's, mounted at run time).
ENV MAVEN_ARGS="-B -q -pl core -am -DskipTests -Dexec.skip=true"
RUN ./mvnw package && rm -rf */target
COPY kvm-native kvm-native
COPY devices devices
COPY qmp-netty qmp-netty
COPY core core
RUN ./mvnw -o package
# The runtime: the modules the shaded jar needs at run time (jdeps --print-module-deps also lists java.desktop,
# java.sql, java.naming and jdk.jfr: Jackson, Micrometer and Netty probe those and carry on without them).
# --strip-debug would also strip native symbols with objcopy, which the base images lack.
# jdk.management: Micrometer's GC metrics (com.sun.management); jdk.unsupported: Netty's sun.misc probes.
# The JDK's CDS archive for heaps without compressed oops is 14 MB the launcher's -Xmx64m never uses.
RUN jlink --add-modules java.base,java.logging,java.management,jdk.management,jdk.unsupported \
      --strip-java-debug-attributes --no-man-pages --no-header-files --compress=zip-6 --generate-cds-archive \
      --output /opt/java/jre \
 && rm /opt/java/jre/lib/server/classes_nocoops.jsa

FROM ${RUNTIME_BASE}
# socat: the health check's QMP client (QMP is on a Unix socket, which neither sh nor bash can open).
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends socat >/dev/null \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
# Non-root: the VMM needs only read-write access to /dev/kvm, which belongs to the host's kvm group; that
# group's id differs from host to host, so `docker run --group-add "$(stat -c %g /dev/kvm)"` grants it.
# (A tap device additionally needs --cap-add NET_ADMIN --device /dev/net/tun, or a tap made beforehand.)
RUN groupadd --system --gid 10001 jstrato \
 && useradd --system --uid 10001 --gid jstrato --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin jstrato \
 && install -d -o jstrato -g jstrato -m 0750 /run/jstrato
COPY --from=build /opt/java/jre /opt/java/jre
# The launcher's own layout (bin/, bin/lib/, core/target/jstrato.jar): the same script runs on a host and here,
# with its JVM flags, -daemonize and the start-up (AOT) cache beside the jar. Without sources it never rebuilds the jar.
COPY bin/jstrato /opt/jstrato/bin/jstrato
COPY bin/lib/jdk.sh /opt/jstrato/bin/lib/jdk.sh
COPY --from=build /src/core/target/jstrato.jar /opt/jstrato/core/target/jstrato.jar
ENV JAVA_HOME=/opt/java/jre \
    PATH=/opt/jstrato/bin:/opt/java/jre/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# The launcher's training run writes the ahead-of-time class cache beside the jar (read-only for the user at run
# time), made by this image's own runtime, as the cache requires.
RUN jstrato --help >/dev/null && test -s /opt/jstrato/core/target/jstrato.aot
USER jstrato
VOLUME /run/jstrato
# The health check asks QMP at the conventional socket path; start the VMM with
# -qmp unix:/run/jstrato/qmp.sock,server,nowait (or -api-channel unix:/run/jstrato/qmp.sock) for it to pass.
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
  CMD printf '%s\n' '{"execute":"query-status"}' | socat -t 3 - UNIX-CONNECT:/run/jstrato/qmp.sock | grep -q '"status":'
ENTRYPOINT ["/opt/jstrato/bin/jstrato"]
CMD ["--help"]

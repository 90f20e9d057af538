# Runtime image of the Otimo server. It packages the jar that Maven builds, so build that first:
#
#   mvn -DskipTests package && docker build -t ghcr.io/otimo/otimo:0.1.0 .
#
# The Helm chart in helm/otimo runs this image by default (same user, port and data directory).
# The base image carries no CUDA libraries: for the CUDA execution provider, build on an image
# that adds CUDA 12 and cuDNN 9.
FROM eclipse-temurin:17-jre

LABEL org.opencontainers.image.title="otimo" \
      org.opencontainers.image.description="Otimo ONNX inference server" \
      org.opencontainers.image.version="0.1.0"

# A fixed numeric user, so that Kubernetes can check runAsNonRoot against it.
RUN groupadd --system --gid 10001 otimo \
    && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/otimo --no-create-home \
       --shell /usr/sbin/nologin otimo \
    && mkdir -p /app /var/lib/otimo \
    && chown 10001:10001 /var/lib/otimo

COPY target/otimo-0.1.0-SNAPSHOT.jar /app/otimo.jar

ENV OTIMO_DATA_DIR=/var/lib/otimo
WORKDIR /var/lib/otimo
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["java","-jar","/app/otimo.jar"]

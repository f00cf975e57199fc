# syntax=docker/dockerfile:1
#
# The built-in remediator's image, interlock-remediator:dev
# (cluster.RemediatorImage): the interlock binary on distroless, run as
# non-root. The default command is `interlock remediator`; config/manager's
# Deployment passes `remediator` and its flags as args, which replace CMD.
#
#   docker build -t interlock-remediator:dev .
#   kind load docker-image interlock-remediator:dev --name interlock

FROM golang:1.26 AS build
WORKDIR /src
ENV CGO_ENABLED=0
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    go build -trimpath -ldflags="-s -w" -o /out/interlock ./cmd/interlock

FROM gcr.io/distroless/static:nonroot
COPY --from=build /out/interlock /interlock
# Numeric, so that the Deployment's runAsNonRoot can be checked.
USER 65532:65532
ENTRYPOINT ["/interlock"]
CMD ["remediator"]

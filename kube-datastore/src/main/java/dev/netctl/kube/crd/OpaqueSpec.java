package dev.netctl.kube.crd;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A spec whose fields the schema leaves open ({@code x-kubernetes-preserve-unknown-fields}): the
 * stored-only IPAM kinds and the pool guard, whose JSON netctl alone writes, and the resource kinds
 * whose full schema is not generated yet (netctl validates them on every write it makes).
 */
public class OpaqueSpec {
  private final Map<String, Object> fields = new LinkedHashMap<>();

  @JsonAnyGetter
  public Map<String, Object> getFields() {
    return fields;
  }

  @JsonAnySetter
  public void set(String name, Object value) {
    fields.put(name, value);
  }
}

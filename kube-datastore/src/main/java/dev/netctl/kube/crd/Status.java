package dev.netctl.kube.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/**
 * The status subresource of every netctl CRD: conditions the agent and controller record when they
 * refuse an object (e.g. {@code type: Valid, status: "False", reason: BlockSizeTooSmall}), so the
 * refusal shows in {@code kubectl describe}. The spec stays the user's.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class Status {
  private List<Condition> conditions;

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }
}

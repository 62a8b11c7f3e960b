package dev.netctl.datastore.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The spec of a Calico Profile, the part netctl uses: the labels a namespace lends its endpoints.
 *
 * @param labelsToApply labels every endpoint with this profile inherits; for {@code kns.<ns>} the
 *     namespace's labels, which rules' {@code namespaceSelector} matches
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ProfileSpec(Map<String, String> labelsToApply) {
  public ProfileSpec {
    labelsToApply =
        labelsToApply == null || labelsToApply.isEmpty()
            ? Map.of()
            : Collections.unmodifiableSortedMap(new TreeMap<>(labelsToApply));
  }
}

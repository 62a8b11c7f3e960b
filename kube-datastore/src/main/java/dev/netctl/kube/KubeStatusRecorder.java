package dev.netctl.kube;

import dev.netctl.datastore.model.Resource;
import dev.netctl.datastore.status.Condition;
import dev.netctl.datastore.status.StatusRecorder;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Conditions in a custom resource's {@code status.conditions} (its status subresource: PUT of
 * {@code <plural>/<name>/status}, so the spec is never touched), and for a refusal a {@code v1}
 * Event naming the object, the field, the value and the rule, which {@code kubectl describe ippool}
 * and {@code kubectl get events} show.
 *
 * <p>Calls: GET of the object, PUT of its status, POST of an Event (in {@value #EVENT_NAMESPACE}:
 * the namespace where Kubernetes keeps events of cluster-scoped objects). {@link
 * ApiAccess#controller()} grants exactly those.
 */
public final class KubeStatusRecorder implements StatusRecorder {
  /** Where events about cluster-scoped objects go (as for Nodes). */
  public static final String EVENT_NAMESPACE = "default";

  private final KubernetesClient client;
  private final String component;
  private final Consumer<String> log;

  public KubeStatusRecorder(KubernetesClient client, String component, Consumer<String> log) {
    this.client = client;
    this.component = component;
    this.log = log;
  }

  @Override
  public void record(Resource resource, Condition condition) {
    String kind = resource.kind().storageKind();
    ResourceDefinitionContext crd = KubeWatch.definition(kind);
    String name = ObjectNames.encode(resource.storageName());
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    try {
      GenericKubernetesResource obj = null;
      // a write between our GET and PUT (409) is answered by reading again: status is ours alone
      for (int attempt = 0; attempt < 3; attempt++) {
        obj = client.genericKubernetesResources(crd).withName(name).get();
        if (obj == null) return; // deleted meanwhile: nothing to record on
        obj.getAdditionalProperties().put("status", status(obj, condition, now));
        try {
          client.genericKubernetesResources(crd).resource(obj).updateStatus();
          break;
        } catch (KubernetesClientException e) {
          if (e.getCode() != 409 || attempt == 2) throw e;
        }
      }
      if (condition.refused()) event(obj, kind, condition, now);
    } catch (KubernetesClientException e) {
      log.accept(
          "cannot record "
              + condition.type()
              + "="
              + condition.status()
              + " on "
              + kind
              + " \""
              + resource.storageName()
              + "\": HTTP "
              + e.getCode()
              + " "
              + e.getMessage());
    }
  }

  /** The object's status with {@code condition} in place of the earlier one of its type. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> status(
      GenericKubernetesResource obj, Condition condition, String now) {
    Object old = obj.getAdditionalProperties().get("status");
    Map<String, Object> status =
        old instanceof Map<?, ?> m
            ? new LinkedHashMap<>((Map<String, Object>) m)
            : new LinkedHashMap<>();
    List<Object> conditions = new ArrayList<>();
    String transition = now;
    if (status.get("conditions") instanceof List<?> list) {
      for (Object c : list) {
        if (c instanceof Map<?, ?> cm && condition.type().equals(cm.get("type"))) {
          // the time of the last change of status, as Kubernetes keeps it
          if (condition.status().equals(cm.get("status")) && cm.get("lastTransitionTime") != null) {
            transition = cm.get("lastTransitionTime").toString();
          }
          continue;
        }
        conditions.add(c);
      }
    }
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("type", condition.type());
    c.put("status", condition.status());
    c.put("reason", condition.reason());
    c.put("message", condition.message());
    c.put("lastTransitionTime", transition);
    conditions.add(c);
    status.put("conditions", conditions);
    return status;
  }

  private void event(GenericKubernetesResource obj, String kind, Condition c, String now) {
    String objName = obj.getMetadata().getName();
    client
        .v1()
        .events()
        .inNamespace(EVENT_NAMESPACE)
        .resource(
            new EventBuilder()
                .withNewMetadata()
                .withName(objName + "." + Long.toHexString(System.nanoTime()))
                .withNamespace(EVENT_NAMESPACE)
                .endMetadata()
                .withNewInvolvedObject()
                .withApiVersion(StoredKinds.API_VERSION)
                .withKind(kind)
                .withName(objName)
                .withUid(obj.getMetadata().getUid())
                .withResourceVersion(obj.getMetadata().getResourceVersion())
                .endInvolvedObject()
                .withType("Warning")
                .withReason(c.reason())
                .withMessage(c.message())
                .withNewSource()
                .withComponent(component)
                .endSource()
                .withReportingComponent(component)
                .withFirstTimestamp(now)
                .withLastTimestamp(now)
                .withCount(1)
                .build())
        .create();
  }
}

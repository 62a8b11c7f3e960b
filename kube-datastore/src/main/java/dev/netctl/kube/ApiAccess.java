package dev.netctl.kube;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The API calls netctl makes on Kubernetes, as RBAC sees them: (API group, resource, verb).
 *
 * <p>{@link #datastore()} is everything this backend can send: the six verbs of the datastore
 * contract on every netctl custom resource. The conformance run checks that every request it sent
 * is in that table. {@link #nodeAgent()} and {@link #controller()} are the parts each component
 * needs, and the ClusterRoles in {@code deploy/} must grant exactly those (a test renders them and
 * compares both ways, so a role can neither lack a call nor grant more).
 */
public final class ApiAccess {
  /** One permission: verb on a resource (a plural, or {@code plural/subresource}) of a group. */
  public record Grant(String group, String resource, String verb) {}

  /** Verbs on netctl custom resources: the operations of the datastore contract. */
  public static final Set<String> VERBS =
      Set.of("get", "list", "watch", "create", "update", "delete");

  private static final List<String> READ = List.of("get", "list", "watch");
  private static final List<String> WRITE = List.of("create", "update", "delete");

  /** Kinds a node or the controller writes: what a node owns or allocates. */
  private static final List<String> NODE_OWNED =
      List.of("Node", "IPAMBlock", "BlockAffinity", "IPAMHandle");

  private ApiAccess() {}

  /**
   * Every call this backend can make: the contract on every netctl custom resource, reads of the
   * Kubernetes objects its derived kinds are ({@link CoreKinds}), the Pod annotation patch of a
   * WorkloadEndpoint write, reads of Nodes (the agent's node check and labels) and the patch of a
   * Node's {@code NetworkUnavailable} condition.
   */
  public static Set<Grant> datastore() {
    Set<Grant> out = new HashSet<>();
    for (String kind : StoredKinds.all()) {
      for (String verb : VERBS)
        out.add(new Grant(StoredKinds.GROUP, StoredKinds.plural(kind), verb));
    }
    for (CoreKinds.Source s : CoreKinds.all()) grant(out, s.group(), s.plural(), READ);
    grant(out, "", "pods", List.of("patch"));
    grant(out, "", "nodes", READ);
    grant(out, "", "nodes/status", List.of("patch"));
    return out;
  }

  /**
   * The node agent: reads every netctl kind, writes IPAM objects and its Node, follows Nodes, Pods,
   * Namespaces, ServiceAccounts and NetworkPolicies, and annotates the Pods its CNI side attaches
   * (the WorkloadEndpoint write), and clears its Kubernetes Node's {@code NetworkUnavailable}
   * condition ({@link NodeNetworkCondition}). Pool conditions are written by the controller alone
   * ({@link #controller()}).
   */
  public static Set<Grant> nodeAgent() {
    Set<Grant> out = shared();
    grant(out, "", "namespaces", READ);
    grant(out, "", "serviceaccounts", READ);
    grant(out, "networking.k8s.io", "networkpolicies", READ);
    grant(out, "", "pods", List.of("patch"));
    grant(out, "", "nodes/status", List.of("patch"));
    return out;
  }

  /**
   * The controller: reads every netctl kind, releases IPAM objects, Node entries and the {@code
   * node.<name>} BGPConfiguration and FelixConfiguration of deleted nodes and pods, follows Nodes
   * and Pods, and records pool conditions as {@link KubeStatusRecorder} does (PUT of {@code
   * ippools/status}). (Its Lease and its Events are namespaced Roles: {@link #leaderElection()},
   * {@link #controllerEvents()}.)
   */
  public static Set<Grant> controller() {
    Set<Grant> out = shared();
    // a deleted node's own BGPConfiguration and FelixConfiguration (node.<name>) go with it
    grant(out, StoredKinds.GROUP, StoredKinds.plural("BGPConfiguration"), List.of("delete"));
    grant(out, StoredKinds.GROUP, StoredKinds.plural("FelixConfiguration"), List.of("delete"));
    grant(out, StoredKinds.GROUP, "ippools/status", List.of("update"));
    return out;
  }

  /** The namespace the controller writes Events in, and the only one its events Role is in. */
  public static final String EVENTS_NAMESPACE = KubeStatusRecorder.EVENT_NAMESPACE;

  /**
   * The controller's refusal Events ({@link KubeStatusRecorder}: POST of a core Event), granted in
   * {@link #EVENTS_NAMESPACE} only: every object it reports on is a cluster-scoped IPPool, whose
   * events Kubernetes keeps there.
   */
  public static Set<Grant> controllerEvents() {
    Set<Grant> out = new HashSet<>();
    grant(out, "", "events", List.of("create"));
    return out;
  }

  /** The controller's leader election, granted in its own namespace only. */
  public static Set<Grant> leaderElection() {
    Set<Grant> out = new HashSet<>();
    grant(out, "coordination.k8s.io", "leases", List.of("get", "create", "update"));
    return out;
  }

  private static Set<Grant> shared() {
    Set<Grant> out = new HashSet<>();
    for (String kind : StoredKinds.all()) {
      grant(out, StoredKinds.GROUP, StoredKinds.plural(kind), READ);
    }
    for (String kind : NODE_OWNED) grant(out, StoredKinds.GROUP, StoredKinds.plural(kind), WRITE);
    grant(out, "", "nodes", READ);
    grant(out, "", "pods", READ);
    return out;
  }

  private static void grant(Set<Grant> out, String group, String resource, List<String> verbs) {
    for (String v : verbs) out.add(new Grant(group, resource, v));
  }

  /**
   * The RBAC verb of one HTTP request: GET of a collection is {@code list}, or {@code watch} with
   * {@code watch=true}; GET of one object is {@code get}; POST {@code create}; PUT {@code update};
   * PATCH {@code patch}; DELETE of one object {@code delete}.
   */
  public static String verb(String method, boolean collection, boolean watch) {
    return switch (method) {
      case "GET" -> watch ? "watch" : collection ? "list" : "get";
      case "POST" -> "create";
      case "PUT" -> "update";
      case "PATCH" -> "patch";
      case "DELETE" -> collection ? "deletecollection" : "delete";
      default -> throw new IllegalArgumentException("HTTP method " + method);
    };
  }
}

package dev.netctl.kube;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.netctl.datastore.DatastoreException;
import dev.netctl.datastore.Entry;
import dev.netctl.datastore.Key;
import dev.netctl.datastore.model.IPPool;
import dev.netctl.datastore.model.IPPoolSpec;
import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.ObjectMeta;
import dev.netctl.datastore.model.ResourceCodec;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ObjectMappingTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final ResourceCodec codec = new ResourceCodec();

  @Test
  void aPoolIsItsCustomResourceWithTheCalicoShapedSpecAndLabels() throws Exception {
    IPPool pool =
        new IPPool(ObjectMeta.named("pool-a", Map.of("zone", "a")), IPPoolSpec.of("10.244.0.0/16"));
    byte[] value = codec.toStorage(pool);
    ObjectNode obj = ObjectMapping.toObject(new Key("IPPool", "pool-a"), value, 0);

    assertThat(obj.get("apiVersion").asText()).isEqualTo("netctl.dev/v1");
    assertThat(obj.get("kind").asText()).isEqualTo("IPPool");
    assertThat(obj.at("/metadata/name").asText()).isEqualTo("pool-a");
    assertThat(obj.at("/metadata/labels/zone").asText()).isEqualTo("a");
    assertThat(obj.at("/spec/cidr").asText()).isEqualTo("10.244.0.0/16");
    assertThat(obj.at("/spec/blockSize").asInt()).isEqualTo(26);
    assertThat(obj.at("/spec/ipipMode").asText()).isEqualTo("Never");
    assertThat(obj.has("raw")).isFalse();
  }

  @Test
  void aPoolAppliedWithKubectlReadsBackAsANetctlResourceWithTheServersIdentity() throws Exception {
    JsonNode cr =
        JSON.readTree(
            """
            {"apiVersion":"netctl.dev/v1","kind":"IPPool",
             "metadata":{"name":"p","resourceVersion":"42","uid":"u-1",
                         "creationTimestamp":"2026-01-02T03:04:05Z","labels":{"a":"b"}},
             "spec":{"cidr":"10.0.0.0/24","blockSize":28,"ipipMode":"Never","vxlanMode":"Always"}}
            """);
    Entry e = ObjectMapping.toEntry("IPPool", cr, "test");
    assertThat(e.key()).isEqualTo(new Key("IPPool", "p"));
    assertThat(e.revision()).isEqualTo(42);
    IPPool pool = codec.fromStorage(Kind.IP_POOL, e.value(), e.revision());
    assertThat(pool.spec().blockSize()).isEqualTo(28);
    assertThat(pool.metadata().labels()).containsEntry("a", "b");
    assertThat(pool.metadata().uid()).isEqualTo("u-1");
    assertThat(pool.metadata().resourceVersion()).isEqualTo("42");
  }

  @Test
  void anIpamValueIsTheSpecVerbatimAndComesBackByteForByte() {
    byte[] value = "{\"cidr\":\"10.0.0.0/26\",\"allocations\":[null,0],\"seq\":3}".getBytes(UTF_8);
    Key key = new Key("IPAMBlock", "10-0-0-0-26");
    ObjectNode obj = ObjectMapping.toObject(key, value, 7);
    assertThat(obj.at("/spec/cidr").asText()).isEqualTo("10.0.0.0/26");
    assertThat(obj.at("/metadata/resourceVersion").asText()).isEqualTo("7");
    assertThat(ObjectMapping.toEntry("IPAMBlock", obj, "test")).isEqualTo(new Entry(key, value, 7));
  }

  @Test
  void bytesThatWouldNotComeBackIdenticalAreKeptRawUnderAnEncodedName() {
    for (String v : new String[] {"one", "{\"a\": 1}", "{\"f\":1.10}", "[1,2]", ""}) {
      Key key = new Key("Anything", "ns/name");
      ObjectNode obj = ObjectMapping.toObject(key, v.getBytes(UTF_8), 3);
      assertThat(obj.has("raw")).as(v).isTrue();
      assertThat(obj.at("/metadata/annotations/netctl.dev~1name").asText()).isEqualTo("ns/name");
      assertThat(ObjectMapping.toEntry("Anything", obj, "test"))
          .isEqualTo(new Entry(key, v.getBytes(UTF_8), 3));
    }
  }

  @Test
  void aResourceVersionThatIsNotAnIntegerIsUnavailableNamingTheRule() {
    assertThatThrownBy(() -> ObjectMapping.revision("abc", "kubernetes https://k:6443"))
        .isInstanceOf(DatastoreException.Unavailable.class)
        .hasMessageContaining("kubernetes https://k:6443")
        .hasMessageContaining("\"abc\"")
        .hasMessageContaining("etcd revisions");
    assertThat(ObjectMapping.listRevision("0", "a")).isZero();
    assertThatThrownBy(() -> ObjectMapping.revision("0", "a"))
        .isInstanceOf(DatastoreException.Unavailable.class);
  }

  @Test
  void aMigratedObjectKeepsItsOwnIdentityAndNamespaceThroughTheApiServer() throws Exception {
    byte[] value =
        """
        {"apiVersion":"projectcalico.org/v3","kind":"WorkloadEndpoint",\
        "metadata":{"name":"n1-k8s-web-eth0","namespace":"shop","labels":{"app":"web"},\
        "uid":"0a7d5e33","creationTimestamp":"2026-01-02T03:04:05Z"},\
        "spec":{"node":"n1","pod":"web","endpoint":"eth0"}}"""
            .getBytes(UTF_8);
    Key key = new Key("WorkloadEndpoint", "shop/n1-k8s-web-eth0");
    ObjectNode obj = ObjectMapping.toObject(key, value, 0);
    assertThat(obj.at("/metadata/annotations/netctl.dev~1uid").asText()).isEqualTo("0a7d5e33");
    // the API server sets its own identity on create; the annotations win when read back
    ObjectNode meta = (ObjectNode) obj.get("metadata");
    meta.put("uid", "server-uid").put("creationTimestamp", "2030-01-01T00:00:00Z");
    meta.put("resourceVersion", "9");
    Entry e = ObjectMapping.toEntry("WorkloadEndpoint", obj, "test");
    assertThat(e.key()).isEqualTo(key);
    JsonNode back = JSON.readTree(e.value());
    assertThat(back.get("metadata")).isEqualTo(JSON.readTree(value).get("metadata"));
    assertThat(codec.readJsonTree(e.value())).isEqualTo(codec.readJsonTree(value));
  }

  @Test
  void aNamespacedKeyIsAnObjectInItsNamespaceNamedWithoutIt() throws Exception {
    byte[] value =
        """
        {"apiVersion":"netctl.dev/v1","kind":"NetworkPolicy",\
        "metadata":{"name":"Allow_Web","namespace":"shop"},"spec":{"order":1.0}}"""
            .getBytes(UTF_8);
    Key key = new Key("NetworkPolicy", "shop/Allow_Web");
    ObjectNode obj = ObjectMapping.toObject(key, value, 0);
    assertThat(obj.at("/metadata/namespace").asText()).isEqualTo("shop");
    assertThat(obj.at("/metadata/name").asText()).isEqualTo(ObjectNames.encode("Allow_Web"));
    assertThat(obj.at("/metadata/annotations/netctl.dev~1name").asText()).isEqualTo("Allow_Web");
    ((ObjectNode) obj.get("metadata")).put("resourceVersion", "3");
    Entry e = ObjectMapping.toEntry("NetworkPolicy", obj, "test");
    assertThat(e.key()).isEqualTo(key);
    assertThat(JSON.readTree(e.value())).isEqualTo(JSON.readTree(value));
    // a cluster-scoped kind keeps the whole name, slash and all, in one encoded object name
    ObjectNode pool = ObjectMapping.toObject(new Key("IPPool", "a/b"), "{}".getBytes(UTF_8), 0);
    assertThat(pool.at("/metadata/namespace").isMissingNode()).isTrue();
    assertThat(ObjectNames.decode(pool.at("/metadata/name").asText())).isEqualTo("a/b");
    assertThatThrownBy(() -> ObjectMapping.toObject(new Key("NetworkPolicy", "Shop/x"), value, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("<namespace>/<name>");
  }
}

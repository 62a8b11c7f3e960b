package dev.netctl.ipam.allocator;

import java.util.Map;

/**
 * Decides whether a pool serves a node, from the node's labels. The datastore's selector ({@code
 * Selector::matches}) fits this shape; {@link #ALL} is {@code all()}.
 */
@FunctionalInterface
public interface NodeMatcher {
  NodeMatcher ALL = labels -> true;

  boolean matches(Map<String, String> labels);
}

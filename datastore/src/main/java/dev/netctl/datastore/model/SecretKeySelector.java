package dev.netctl.datastore.model;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A reference to one key of a Kubernetes Secret, as in {@code secretKeyRef}.
 *
 * @param name the secret's name
 * @param key the key within the secret
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SecretKeySelector(String name, String key) {}

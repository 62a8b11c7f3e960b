package dev.netctl.datastore.model;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A named BGP community (Calico {@code Community}).
 *
 * @param name the name prefix advertisements refer to
 * @param value a standard community {@code aa:nn} (RFC 1997) or large community {@code aa:nn:mm}
 *     (RFC 8092)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Community(String name, String value) {}

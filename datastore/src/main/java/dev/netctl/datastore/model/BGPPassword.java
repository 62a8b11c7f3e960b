package dev.netctl.datastore.model;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Where the TCP-MD5 password of a BGP session comes from (Calico {@code BGPPassword}).
 *
 * @param secretKeyRef the secret key holding the password
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BGPPassword(SecretKeySelector secretKeyRef) {}

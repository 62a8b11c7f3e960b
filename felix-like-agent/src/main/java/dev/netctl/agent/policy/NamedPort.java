package dev.netctl.agent.policy;

/**
 * A named container port of an endpoint.
 *
 * @param name the name rules refer to
 * @param protocol the IP protocol number
 * @param port the port number
 */
public record NamedPort(String name, int protocol, int port) {}

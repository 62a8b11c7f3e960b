/**
 * BGP-4 wire codec (RFC 4271, 4760, 6793, 2918, 4724, 1997, 8092, 7606, 8654, 7911): messages,
 * attributes and capabilities as records, a decoder that returns errors as values, an encoder and
 * an UPDATE packer. Knows nothing of sessions.
 */
package dev.netctl.bgp.codec;

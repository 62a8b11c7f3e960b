/**
 * The Kubernetes backend of the datastore contract: one custom resource per stored kind in the API
 * group {@code netctl.dev}, revisions from {@code resourceVersion}.
 */
package dev.netctl.kube;

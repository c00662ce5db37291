"""Drives the opsagent simulator with the official Kubernetes Python client.

Usage: python3 official_client_checks.py KUBECONFIG HISTORY_CAPACITY
Exits non-zero with a message naming the first check that failed.
"""
import sys
import time
import uuid

from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def patch_deployment(apps, name, ns, body, content_type, **kwargs):
    """Patches with `content_type`. kubernetes==33.1.0 has no `_content_type` argument and
    always sends the first patch type it lists (JSON patch); a default header of the client
    overrides that, in every version of the client."""
    headers = apps.api_client.default_headers
    previous = headers.get("Content-Type")
    headers["Content-Type"] = content_type
    try:
        return apps.patch_namespaced_deployment(name, ns, body, **kwargs)
    finally:
        if previous is None:
            headers.pop("Content-Type", None)
        else:
            headers["Content-Type"] = previous


def main(kubeconfig, history_capacity):
    config.load_kube_config(config_file=kubeconfig)
    core = client.CoreV1Api()
    apps = client.AppsV1Api()
    ns = "py-" + uuid.uuid4().hex[:8]
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=ns)))

    # list_namespaced_*: created objects come back, with a list resourceVersion.
    for i in range(3):
        core.create_namespaced_config_map(ns, client.V1ConfigMap(
            metadata=client.V1ObjectMeta(name=f"cm-{i}", labels={"app": "py"}), data={"i": str(i)}))
    listed = core.list_namespaced_config_map(ns, label_selector="app=py")
    check([c.metadata.name for c in listed.items] == ["cm-0", "cm-1", "cm-2"], f"list: {listed.items}")
    check(int(listed.metadata.resource_version) > 0, "list has a resourceVersion")
    paged = core.list_namespaced_config_map(ns, limit=2)
    check(len(paged.items) == 2 and paged.metadata._continue, "first page has a continue token")
    rest = core.list_namespaced_config_map(ns, limit=2, _continue=paged.metadata._continue)
    check(len(rest.items) == 1 and not rest.metadata._continue, "last page has no continue token")
    print("ok list_namespaced_config_map")

    # 409 on a stale replace.
    stale = core.read_namespaced_config_map("cm-0", ns)
    fresh = core.read_namespaced_config_map("cm-0", ns)
    fresh.data = {"i": "fresh"}
    core.replace_namespaced_config_map("cm-0", ns, fresh)
    stale.data = {"i": "stale"}
    try:
        core.replace_namespaced_config_map("cm-0", ns, stale)
        raise AssertionError("a stale replace succeeded")
    except ApiException as e:
        check(e.status == 409, f"stale replace status {e.status}")
        check("the object has been modified" in e.body, f"stale replace body {e.body}")
    print("ok 409 on stale replace")

    # patch with each content type.
    deployment = client.V1Deployment(
        metadata=client.V1ObjectMeta(name="web"),
        spec=client.V1DeploymentSpec(
            replicas=1,
            selector=client.V1LabelSelector(match_labels={"app": "web"}),
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(labels={"app": "web"}),
                spec=client.V1PodSpec(containers=[client.V1Container(name="web", image="nginx:1.27")]))))
    apps.create_namespaced_deployment(ns, deployment)
    patch_deployment(apps, "web", ns, {"spec": {"replicas": 2}}, "application/merge-patch+json")
    patch_deployment(apps, "web", ns, [{"op": "replace", "path": "/spec/replicas", "value": 3}],
                     "application/json-patch+json")
    patch_deployment(apps, "web", ns, {"spec": {"template": {"spec": {"containers": [
        {"name": "sidecar", "image": "busybox:1.36"}]}}}}, "application/strategic-merge-patch+json")
    applied = patch_deployment(
        apps, "web", ns,
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "labels": {"owner": "py"}}},
        "application/apply-patch+yaml", field_manager="py-apply")
    names = sorted(c.name for c in applied.spec.template.spec.containers)
    check(applied.spec.replicas == 3, f"replicas after patches: {applied.spec.replicas}")
    check(names == ["sidecar", "web"], f"strategic merge kept both containers: {names}")
    check(applied.metadata.labels == {"owner": "py"}, f"apply set the label: {applied.metadata.labels}")
    managers = sorted(m.manager for m in applied.metadata.managed_fields)
    check("py-apply" in managers, f"managedFields: {managers}")
    print("ok patch with merge, json, strategic and apply")

    # watch.Watch().stream resuming after the server closes the stream: each stream asks for
    # timeoutSeconds=1, so the server ends it; the next one resumes from the last version seen
    # and gets only what happened after it. Writes happen between streams, so the check does
    # not depend on how fast the host is.
    start_rv = core.list_namespaced_config_map(ns).metadata.resource_version
    core.create_namespaced_config_map(ns, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="during-1")))

    def one_stream(rv):
        names, last = [], rv
        started = time.time()
        for event in watch.Watch().stream(core.list_namespaced_config_map, ns, resource_version=rv, timeout_seconds=1):
            last = event["object"].metadata.resource_version
            if event["type"] == "ADDED":
                names.append(event["object"].metadata.name)
        check(time.time() - started < 15, f"the server did not end a 1 s watch within 15 s")
        return names, last

    first, rv = one_stream(start_rv)
    check(first == ["during-1"], f"the first stream saw {first}")
    core.create_namespaced_config_map(ns, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="during-2")))
    second, rv = one_stream(rv)
    check(second == ["during-2"], f"the resumed stream saw {second}")
    print("ok watch resumes after a server-side close")

    # A watch from a version the server no longer has raises 410.
    old_rv = core.read_namespaced_config_map("cm-1", ns).metadata.resource_version
    for i in range(history_capacity + 10):
        core.patch_namespaced_config_map("cm-2", ns, {"data": {"n": str(i)}})
    try:
        for _ in watch.Watch().stream(core.list_namespaced_config_map, ns, resource_version=old_rv, timeout_seconds=5):
            pass
        raise AssertionError("a watch from a compacted version did not fail")
    except ApiException as e:
        check(e.status == 410, f"expired watch status {e.status}")
    print("ok 410 for a compacted resourceVersion")

    core.delete_namespace(ns)
    print("all checks passed")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))

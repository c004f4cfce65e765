"""The objects of one simulated device: instances by object, reads over paths, Create/Delete."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ipe_sdt.lwm2m import DEFAULT_REGISTRY, RegisteredObject
from ipe_sdt.lwm2m.paths import Path, format_path
from ipe_sdt.lwm2m.values import Value

from .errors import bad_request, not_allowed, not_found
from .instance import DeviceHost, SimInstance

Factory = Callable[[int, DeviceHost], SimInstance]
# Never announced at registration: the TS keeps security material out of the object list.
NOT_REGISTERED = frozenset({0, 21})


class ObjectStore:
    def __init__(self) -> None:
        self.objects: dict[int, dict[int, SimInstance]] = {}
        self.factories: dict[int, Factory] = {}

    def support(self, object_id: int, factory: Factory) -> None:
        """Declare an object (it is announced even without instances) and how to create one."""
        self.factories[object_id] = factory
        self.objects.setdefault(object_id, {})

    def add(self, instance: SimInstance) -> SimInstance:
        self.objects.setdefault(instance.object_id, {})[instance.iid] = instance
        return instance

    def instances(self, object_id: int) -> dict[int, SimInstance]:
        if object_id not in self.objects:
            raise not_found(f"object {object_id} is not supported")
        return self.objects[object_id]

    def instance(self, object_id: int, iid: int) -> SimInstance:
        instances = self.instances(object_id)
        if iid not in instances:
            raise not_found(f"/{object_id}/{iid} does not exist")
        return instances[iid]

    def first(self, object_id: int) -> SimInstance | None:
        instances = self.objects.get(object_id) or {}
        return instances[min(instances)] if instances else None

    def create(self, object_id: int, iid: int | None, host: DeviceHost) -> SimInstance:
        instances = self.instances(object_id)
        factory = self.factories.get(object_id)
        definition = DEFAULT_REGISTRY.get_object(object_id)
        if factory is None or definition is None:
            raise not_allowed(f"instances of object {object_id} cannot be created")
        if not definition.multiple_instances and instances:
            raise bad_request(f"object {object_id} has a single instance, which exists")
        if iid is None:
            iid = next(i for i in range(65535) if i not in instances)
        if iid in instances:
            raise bad_request(f"/{object_id}/{iid} already exists")
        return self.add(factory(iid, host))

    def remove(self, object_id: int, iid: int) -> None:
        instance = self.instance(object_id, iid)
        if not instance.delete_allowed():
            raise not_allowed(f"/{object_id}/{iid} cannot be deleted")
        del self.objects[object_id][iid]

    def registration_objects(self, with_versions: bool) -> list[RegisteredObject]:
        out = []
        for oid, instances in sorted(self.objects.items()):
            if oid in NOT_REGISTERED:
                continue
            definition = DEFAULT_REGISTRY.get_object(oid)
            announced = definition is not None and with_versions and definition.version != "1.0"
            version = definition.version if announced and definition is not None else None
            out.append(RegisteredObject(oid, version, tuple(sorted(instances))))
        return out

    # --- reads ----------------------------------------------------------------------------------

    def read(self, path: Path, *, check_access: bool = True) -> dict[Path, Value]:
        """Readable values under path as {full path: value}; SimError when the path is wrong."""
        if not path:
            raise not_allowed("the root cannot be read")
        oid = path[0]
        if check_access and oid in NOT_REGISTERED:
            raise not_found(f"object {oid} is not accessible")
        instances = self.instances(oid)
        if len(path) == 1:
            out: dict[Path, Value] = {}
            for instance in instances.values():
                out.update(self._instance_values(instance, check_access))
            return out
        instance = self.instance(oid, path[1])
        if len(path) == 2:
            return self._instance_values(instance, check_access)
        rdef = instance.resource_def(path[2])
        if rdef is not None and check_access and not rdef.readable and (rdef.writable or rdef.executable):
            raise not_allowed(f"{format_path(path)} is not readable")
        if rdef is None or path[2] not in instance.present():
            raise not_found(f"{format_path(path)} does not exist")
        if check_access and not rdef.readable:
            raise not_allowed(f"{format_path(path)} is not readable")
        value = instance.get(path[2])
        if isinstance(value, dict):
            if len(path) == 4:
                if path[3] not in value:
                    raise not_found(f"{format_path(path)} does not exist")
                return {path: value[path[3]]}
            return {(*path[:3], riid): v for riid, v in sorted(value.items())}
        if len(path) == 4:
            raise not_found(f"{format_path(path[:3])} has no instances")
        return {path: value}

    def _instance_values(self, instance: SimInstance, check_access: bool) -> dict[Path, Value]:
        out: dict[Path, Value] = {}
        for rid in instance.present():
            rdef = instance.resource_def(rid)
            if rdef is None or rdef.executable or (check_access and not rdef.readable):
                continue
            value = instance.get(rid)
            if isinstance(value, dict):
                out.update({(*instance.path, rid, riid): v for riid, v in sorted(value.items())})
            else:
                out[(*instance.path, rid)] = value
        return out

    def all_instances(self) -> Iterable[SimInstance]:
        for instances in self.objects.values():
            yield from instances.values()

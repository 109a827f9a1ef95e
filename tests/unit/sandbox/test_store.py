"""The store: savepoints undo everything after them; commit persists in one SQLite transaction."""

from include.intacct_sandbox.store import Store


def _store(tmp_path) -> Store:
    store = Store(tmp_path)
    store.set_key_fields({"CLASS": "CLASSID"})
    return store


def test_rollback_to_a_savepoint_undoes_records_settings_and_control_ids(tmp_path):
    store = _store(tmp_path)
    store.put("DEMO", "CLASS", {"RECORDNO": "1", "CLASSID": "A", "NAME": "Before"})
    store.commit()
    savepoint = store.savepoint()
    store.put("DEMO", "CLASS", {"RECORDNO": "1", "CLASSID": "A2", "NAME": "After"})
    store.put("DEMO", "CLASS", {"RECORDNO": "2", "CLASSID": "B", "NAME": "New"})
    store.set_setting("DEMO", "closed_through:GL", "2026-09-30")
    store.add_control_id("DEMO", "c-1")
    store.rollback_to(savepoint)
    assert store.find_by_key("DEMO", "CLASS", "A")["NAME"] == "Before"
    assert store.find_by_key("DEMO", "CLASS", "A2") is None and store.get("DEMO", "CLASS", 2) is None
    assert store.setting("DEMO", "closed_through:GL") is None
    assert not store.has_control_id("DEMO", "c-1")


def test_committed_state_is_loaded_by_a_new_store(tmp_path):
    store = _store(tmp_path)
    store.put("DEMO", "CLASS", {"RECORDNO": "7", "CLASSID": "K", "NAME": "Kept"})
    store.put("DEMO", "CLASS", {"RECORDNO": "8", "CLASSID": "D", "NAME": "Deleted"})
    store.set_setting("DEMO", "counters", {"requests": 3})
    store.add_control_id("DEMO", "c-9")
    store.commit()
    store.delete("DEMO", "CLASS", 8)
    store.commit()
    store.close()
    again = _store(tmp_path)
    assert again.find_by_key("DEMO", "CLASS", "K")["NAME"] == "Kept"
    assert again.get("DEMO", "CLASS", 8) is None
    assert again.setting("DEMO", "counters") == {"requests": 3}
    assert again.has_control_id("DEMO", "c-9")


def test_uncommitted_changes_are_not_persisted(tmp_path):
    store = _store(tmp_path)
    store.put("DEMO", "CLASS", {"RECORDNO": "1", "CLASSID": "A"})
    store.close()
    assert _store(tmp_path).is_empty()

"""Start Anki desktop on a prepared base folder: `ankiconnect_launch.py BASE PROFILE`.

The profile is created first, as a user who has been through the first-run dialogs has it
(language chosen, software rendering since Xvfb has no GPU, no update checks, no AnkiWeb sync);
then Anki's own entry point runs, and loads the add-ons in BASE/addons21 (AnkiConnect).
"""

from __future__ import annotations

import sys
from pathlib import Path

import aqt
from aqt.profiles import ProfileManager, VideoDriver


def prepare(base: Path, profile: str) -> None:
    manager = ProfileManager(ProfileManager.get_created_base_folder(str(base)))
    manager.setupMeta()
    manager.create(profile)
    manager.load(profile)
    manager.meta["firstRun"] = False
    manager.meta["defaultLang"] = "en_US"
    manager.meta["check_for_addon_updates"] = False
    manager.set_update_check(False)
    manager.set_video_driver(VideoDriver.Software)
    assert manager.profile is not None
    manager.profile["autoSync"] = False
    manager.save()
    manager.db.close()


def main() -> None:
    base, profile = Path(sys.argv[1]), sys.argv[2]
    prepare(base, profile)
    sys.argv = [sys.argv[0], "-b", str(base), "-p", profile, "-l", "en_US"]
    aqt.run()


if __name__ == "__main__":
    main()

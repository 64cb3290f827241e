"""Start Anki desktop on a prepared base folder: `desktop_launch.py BASE PROFILE THEME`.

The profile's preferences are written first, the way a user who has already been through the
first-run dialogs would have them: language chosen, software rendering (Xvfb has no GPU), the
theme (light or dark) and no network checks. Then Anki's own entry point runs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import aqt
from aqt.profiles import ProfileManager, VideoDriver
from aqt.theme import Theme


def prepare(base: Path, profile: str, theme: str) -> None:
    manager = ProfileManager(ProfileManager.get_created_base_folder(str(base)))
    manager.setupMeta()
    manager.create(profile)
    manager.load(profile)
    manager.meta["firstRun"] = False
    manager.meta["defaultLang"] = "en_US"
    manager.meta["check_for_addon_updates"] = False
    manager.set_theme(Theme.DARK if theme == "dark" else Theme.LIGHT)
    manager.set_video_driver(VideoDriver.Software)
    assert manager.profile is not None
    manager.profile["autoSync"] = False
    manager.save()
    manager.db.close()


def main() -> None:
    base, profile, theme = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    prepare(base, profile, theme)
    sys.argv = [sys.argv[0], "-b", str(base), "-p", profile, "-l", "en_US"]
    aqt.run()


if __name__ == "__main__":
    main()

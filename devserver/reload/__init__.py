"""Hot reload: watch the app's sources (`watcher`), decide what a change means (`plan`), and apply it (`reloader`).

May import `app`, `runtime` and `devserver.terminal`; the dev server hands it what it reloads.
"""

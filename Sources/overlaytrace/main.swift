import OverlayTraceCLI

OverlayTraceCommand.runAndExit()

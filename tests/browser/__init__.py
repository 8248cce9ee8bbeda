"""A real browser (headless Chromium) as the WebSocket client of railguard servers."""

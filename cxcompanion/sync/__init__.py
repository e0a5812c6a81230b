"""The shared-export protocol (publishing, importing, merging); arrives with the sync issue."""

"""The place tree shared by every working group: towns and sub-districts (镇 / 街道), and the
villages and communities (村 / 社区) under them.  Residential compounds (小区) hang below the
communities in group 3; households, grants and reserve funds are kept per town."""

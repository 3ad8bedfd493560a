"""The printing engine: Qt-free, ReportLab with embedded TrueType fonts, shared by every group."""

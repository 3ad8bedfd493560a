"""Reports made from the registers: the statistics report (统计上报) and its figures."""

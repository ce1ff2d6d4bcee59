// The four cron libraries name their types alike; every benchmark tells them apart by these aliases.
global using ChronoFlowExpression = ChronoFlow.CronExpression;
global using ChronoFlowFormat = ChronoFlow.CronFormat;
global using CronosExpression = Cronos.CronExpression;
global using CronosFormat = Cronos.CronFormat;
global using QuartzExpression = Quartz.CronExpression;

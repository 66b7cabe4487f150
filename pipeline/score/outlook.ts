/** Moved to pipeline/outlook/ (shared by scoring and the forecast); kept so that existing imports work. */
export * from '../outlook/deal-outlook.ts';

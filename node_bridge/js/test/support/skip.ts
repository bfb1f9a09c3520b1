/** The integration suites run unless STARTJOB_SKIP_INTEGRATION is set (then they are skipped, visibly). */
export const SKIP_INTEGRATION: string | false = process.env.STARTJOB_SKIP_INTEGRATION
  ? 'STARTJOB_SKIP_INTEGRATION is set'
  : false

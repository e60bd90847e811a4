// Package haven is the domain of Haven, the information system of a National
// Referral Mechanism against trafficking in persons built on CEDAW General
// Recommendation No. 38 (2020).
//
// It holds the types (cases, persons, organisations, users), the service
// interfaces the adapters implement, and the error kinds they share. It imports
// no database, HTTP or cryptography package: adapters import it, never the
// other way round.
package haven

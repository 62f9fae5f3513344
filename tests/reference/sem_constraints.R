# Reference values for constraints (==, <, >), growth() and defined parameters of shared labels
# from lavaan 0.6. Run from the repository root:  Rscript tests/reference/sem_constraints.R
# Writes tests/reference/sem_constraints/*.csv (estimates, fit measures, and the two real data
# sets it exports: lavaan::Demo.growth and six psychTools::bfi items). Python tests read them.
suppressPackageStartupMessages(library(lavaan))
out <- "tests/reference/sem_constraints"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
hs <- read.csv("datasets/holzinger_swineford.csv")
pd <- read.csv("datasets/political_democracy.csv")
write.csv(lavaan::Demo.growth, file.path(out, "demo_growth.csv"), row.names = FALSE)
data(bfi, package = "psychTools")
write.csv(bfi[, c("E1", "E3", "E5", "O2", "O3", "O4")], file.path(out, "bfi_eo.csv"), row.names = FALSE)
bfi_eo <- read.csv(file.path(out, "bfi_eo.csv"))
growth_data <- read.csv(file.path(out, "demo_growth.csv"))

write_fit <- function(fit, name) {
  pe <- parameterEstimates(fit, standardized = TRUE)
  write.csv(pe, file.path(out, paste0(name, "_est.csv")), row.names = FALSE)
  fm <- fitMeasures(fit)
  write.csv(data.frame(measure = names(fm), value = as.numeric(fm)),
            file.path(out, paste0(name, "_fit.csv")), row.names = FALSE)
  cat(name, ": chisq", fm["chisq"], "df", fm["df"], "npar", fm["npar"], "\n")
}

# 1. linear equality constraints
hs_eq_model <- "visual =~ x1 + a*x2 + b*x3
textual =~ x4 + c*x5 + d*x6
speed =~ x7 + e*x8 + f*x9
a == b
f == a + b
ac := a*c"
write_fit(cfa(hs_eq_model, data = hs), "hs_eq")
write_fit(cfa(hs_eq_model, data = hs, estimator = "MLR"), "hs_eq_mlr")
write_fit(cfa(hs_eq_model, data = hs, missing = "fiml"), "hs_eq_fiml")
# FIML with the constraints on incomplete data (the MCAR copy of HS made by sem_extras.R)
hs_mcar <- read.csv("tests/reference/sem_extras/hs_mcar.csv")
write_fit(cfa(hs_eq_model, data = hs_mcar, missing = "fiml"), "hs_eq_fiml_mcar")
write_fit(cfa(hs_eq_model, data = hs_mcar, missing = "fiml", estimator = "MLR"), "hs_eq_fiml_mlr_mcar")
hs_lin_model <- "visual =~ x1 + a*x2 + b*x3
textual =~ x4 + c*x5 + d*x6
speed =~ x7 + e*x8 + f*x9
a + b == 1.5
c == 2*e"
write_fit(cfa(hs_lin_model, data = hs), "hs_lin")
hs_eq_std_model <- "visual =~ a*x1 + b*x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9
a == b
visual ~~ 1*visual
textual ~~ 1*textual
speed ~~ 1*speed"
write_fit(cfa(hs_eq_std_model, data = hs, std.lv = TRUE), "hs_eq_std")
hs_mg_model <- "visual =~ x1 + c(v2a, v2b)*x2 + c(v3a, v3b)*x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9
v2a == v2b
v3a - v3b == 0.2"
write_fit(cfa(hs_mg_model, data = hs, group = "school"), "hs_mg")

# redundant equalities count once (df adds the rank of the constraints)
hs_redundant_model <- "visual =~ x1 + a*x2 + b*x3
textual =~ x4 + c*x5 + d*x6
speed =~ x7 + e*x8 + f*x9
a == b
b == c
a == c"
write_fit(cfa(hs_redundant_model, data = hs), "hs_redundant")

# 2. inequality constraints: lavaan keeps npar and df; an active bound gets se NA
hs_gt_model <- "visual =~ x1 + a*x2 + b*x3
textual =~ x4 + c*x5 + d*x6
speed =~ x7 + e*x8 + f*x9
a > 0"
write_fit(cfa(hs_gt_model, data = hs), "hs_gt_inactive")
hs_lt_model <- "visual =~ x1 + a*x2 + b*x3
textual =~ x4 + c*x5 + d*x6
speed =~ x7 + e*x8 + f*x9
a < 0.5"
write_fit(cfa(hs_lt_model, data = hs), "hs_lt_active")
hs_ab_model <- "visual =~ x1 + a*x2 + b*x3
textual =~ x4 + c*x5 + d*x6
speed =~ x7 + e*x8 + f*x9
a > b"
write_fit(cfa(hs_ab_model, data = hs), "hs_ab_active")
write_fit(cfa(hs_ab_model, data = hs, estimator = "MLR"), "hs_ab_active_mlr")
# a bound on a label shared by two loadings (active)
hs_shared_bound_model <- "visual =~ x1 + a*x2 + a*x3
textual =~ x4 + c*x5 + d*x6
speed =~ x7 + e*x8 + f*x9
a > 0.7"
write_fit(cfa(hs_shared_bound_model, data = hs), "hs_shared_bound")
# several constraints at once; parTable's est of a constraint row is its value (slack)
hs_mixed_model <- "visual =~ x1 + a*x2 + b*x3
textual =~ x4 + c*x5 + d*x6
speed =~ x7 + e*x8 + f*x9
a < 0.5
d > 0.5
c > 2*d - 1
a + b == 1.3"
hs_mixed <- cfa(hs_mixed_model, data = hs)
write_fit(hs_mixed, "hs_mixed")
write.csv(parTable(hs_mixed), file.path(out, "hs_mixed_partable.csv"), row.names = FALSE)
# a Heywood case in real data: the residual variance of O3 is negative without the bound
bfi_free_model <- "extra =~ E1 + E3 + E5
open =~ O2 + O3 + O4"
write_fit(cfa(bfi_free_model, data = bfi_eo), "bfi_heywood_free")
bfi_bound_model <- "extra =~ E1 + E3 + E5
open =~ O2 + O3 + O4
O3 ~~ v*O3
v > 0"
write_fit(cfa(bfi_bound_model, data = bfi_eo), "bfi_heywood_bound")

# 3. growth(): Demo.growth, linear growth, and with two time-invariant covariates
growth_model <- "i =~ 1*t1 + 1*t2 + 1*t3 + 1*t4
s =~ 0*t1 + 1*t2 + 2*t3 + 3*t4"
write_fit(growth(growth_model, data = growth_data), "growth_linear")
growth_cov_model <- "i =~ 1*t1 + 1*t2 + 1*t3 + 1*t4
s =~ 0*t1 + 1*t2 + 2*t3 + 3*t4
i ~ x1 + x2
s ~ x1 + x2"
write_fit(growth(growth_cov_model, data = growth_data), "growth_cov")

# growth under FIML: 10 % of the repeated measures missing completely at random
set.seed(16)
growth_mcar <- growth_data
for (v in c("t1", "t2", "t3", "t4")) growth_mcar[runif(nrow(growth_mcar)) < 0.1, v] <- NA
write.csv(growth_mcar, file.path(out, "demo_growth_mcar.csv"), row.names = FALSE)
growth_mcar <- read.csv(file.path(out, "demo_growth_mcar.csv"))
write_fit(growth(growth_cov_model, data = growth_mcar, missing = "fiml"), "growth_cov_fiml")

# 4. a defined parameter of labels that tie several parameters: std.all uses the first row
pd_shared_model <- "ind60 =~ x1 + x2 + x3
dem60 =~ y1 + a*y2 + b*y3 + c*y4
dem65 =~ y5 + a*y6 + b*y7 + c*y8
dem60 ~ ind60
dem65 ~ ind60 + dem60
y1 ~~ y5
y2 ~~ y4 + y6
y3 ~~ y7
y4 ~~ y8
y6 ~~ y8
ab := a*b"
write_fit(sem(pd_shared_model, data = pd), "pd_shared")
# 5. modification indices and bootstrap standard errors of a model with == constraints
mi <- modindices(cfa(hs_eq_model, data = hs))
write.csv(mi, file.path(out, "hs_eq_modindices.csv"), row.names = FALSE)
set.seed(20261206)
write_fit(cfa(hs_eq_model, data = hs, se = "bootstrap", bootstrap = 1000), "hs_eq_boot")
# bootstrap with an active bound: every draw refitted under a < 0.5 (slow in lavaan: minutes)
set.seed(20261207)
write_fit(cfa(hs_lt_model, data = hs, se = "bootstrap", bootstrap = 1000), "hs_lt_boot")
writeLines(as.character(packageVersion("lavaan")), file.path(out, "VERSION"))

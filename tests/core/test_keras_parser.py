"""parse_keras_code reads the course's real listings and refuses to run anything.

The listings below are copied verbatim (❶ callouts, typographic quotes and all)
from the Chinese source tutorials in /work/shared/seeds/; each notes its file and
lines. 000_1deda41eecd8745e.txt prints its code as images only, so its models are
rebuilt from the prose and checked against the parameter counts the article
prints. 001_aa3672dc7f71ac05.txt has no Keras code (PyTorch and TF1 only).
"""

import ast
import builtins
import doctest

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import core.keras_parser
from core.keras_parser import PARSE_MESSAGES, CodeError, clean_code, parse_keras_code
from core.layer_spec import (
    ALIASES,
    LAYER_KINDS,
    REQUIRED,
    ArchitectureError,
    LayerSpec,
    make_layer,
)

# 002_b8fa2d5ce92da89f.txt, lines 116–124.
FASHION_ADD = """\
model = keras.models.Sequential()
# 创建一个Sequential模型(仅由顺序连接的单层堆栈组成,称为顺序API)
model.add(keras.layers.Flatten(input_shape=[28, 28]))
# 第一层是Flatten层,将每个输入图像转换成一维度组
model.add(keras.layers.Dense(300, activation="relu"))
# 具有300个神经元的Dense隐藏层,使用ReLU激活函数
model.add(keras.layers.Dense(100, activation="relu"))
# 具有100个神经元的Dense隐藏层,使用ReLU激活函数
model.add(keras.layers.Dense(10, activation="softmax"))
"""

# 002_b8fa2d5ce92da89f.txt, lines 127–132.
FASHION_LIST = """\
model_0 = keras.models.Sequential([
keras.layers.Flatten(input_shape=[28, 28]),
keras.layers.Dense(300, activation="relu"),
keras.layers.Dense(100, activation="relu"),
keras.layers.Dense(10, activation="softmax")
])
"""

# 002_b8fa2d5ce92da89f.txt, lines 186–190.
HOUSING_REGRESSION = """\
from tensorflow import keras
model = keras.models.Sequential([
keras.layers.Dense(30, activation="relu", input_shape=X_train.shape[1:]),
keras.layers.Dense(1)
])
"""

# 002_b8fa2d5ce92da89f.txt, lines 201–206.
WIDE_DEEP = """\
input_ = keras.layers.Input(shape=X_train.shape[1:])
hidden1 = keras.layers.Dense(30, activation="relu")(input_)
hidden2 = keras.layers.Dense(30, activation="relu")(hidden1)
concat = keras.layers.Concatenate()([input_, hidden2])
output = keras.layers.Dense(1)(concat)
model = keras.Model(inputs=[input_], outputs=[output])
"""

# 002_b8fa2d5ce92da89f.txt, lines 210–217.
WIDE_DEEP_TWO_INPUTS = """\
from tensorflow import keras
input_A = keras.layers.Input(shape=[5], name="wide_input")
input_B = keras.layers.Input(shape=[6], name="deep_input")
hidden1 = keras.layers.Dense(30, activation="relu")(input_B)
hidden2 = keras.layers.Dense(30, activation="relu")(hidden1)
concat = keras.layers.concatenate([input_A, hidden2])
output = keras.layers.Dense(1, name="output")(concat)
model = keras.Model(inputs=[input_A, input_B], outputs=[output])
"""

# 003_5d2e666be600f520.txt, lines 173–181.
AUTOENCODER_4_1 = """\
from tensorflow.keras import layers, models
autoencoder = models.Sequential(
    [layers.Dense(64, activation='relu', input_shape=(784,)),  ❶
    layers.Dense(32, activation='relu'),                       ❶
    layers.Dense(64, activation='relu'),                       ❶
    layers.Dense(784, activation='tanh')]                      ❶
)
autoencoder.compile(loss='mse', optimizer='adam')              ❷
autoencoder.summary()                                          ❸
"""

# 003_5d2e666be600f520.txt, lines 374–391.
CNN_4_2 = """\
from tensorflow.keras import layers, models
import tensorflow.keras.backend as K
K.clear_session()                                                          ❶
cnn = models.Sequential(
    [layers.Conv2D(
        filters=16, kernel_size= (9,9), strides=(2,2), activation='relu',  ❷
           padding=’valid’, input_shape=(32,32,3)
        ),                                                                 ❷
     layers.Conv2D(
         filters=32, kernel_size= (7,7), activation='relu', padding=’valid’
     ), 
     layers.Conv2D(
         filters=64, kernel_size= (7,7), activation='relu', padding=’valid’
     ), 
     layers.Flatten(),                                                     ❸
     layers.Dense(64, activation='relu'),                                  ❹
     layers.Dense(10, activation='softmax')]                               ❺
)
"""

# 003_5d2e666be600f520.txt, lines 521–535.
CNN_4_3 = """\
from tensorflow.keras import layers, models
import tensorflow.keras.backend as K
K.clear_session()
cnn = models.Sequential([
     layers.Conv2D(                                                      ❶
         filters=16,kernel_size=(3,3), strides=(2,2), activation='relu', ❶
         padding='same', input_shape=(32,32,3)),                         ❶
     layers.MaxPool2D(pool_size=(2,2), strides=(2,2), padding='same'),   ❷
     layers.Conv2D(32, (3,3), activation='relu', padding='same'),        ❸
     layers.MaxPool2D(pool_size=(2,2), strides=(2,2), padding='same'),   ❹
     layers.Flatten(),                                                   ❺
     layers.Dense(64, activation='relu'),                                ❻
     layers.Dense(32, activation='relu'),                                ❻
     layers.Dense(10, activation='softmax')]                             ❼
)
"""

# 003_5d2e666be600f520.txt, lines 598–607.
EXERCISE_2 = """\
from tensorflow.keras import layers, models
models.Sequential([
layers.Conv2D(                                                     
         filters=16, kernel_size=(5,5), padding='valid', input_shape=(64,64,3)
),                        
layers.MaxPool2D(pool_size=(3,3), strides=(2,2), padding='same'),  
layers.Conv2D(32, (3,3), activation='relu', padding='same'),       
layers.MaxPool2D(pool_size=(2,2), strides=(2,2), padding='same'),  
layers.Conv2D(32, (3,3), strides=(2,2), activation='relu', padding='same')
]) 
"""

# 004_0f56d7ba8f742ccf.txt, lines 78–81.
CIFAR_IMPORTS = """\
import numpy as np
import matplotlib.pyplot as plt
from keras import layers, models, optimizers, utils, datasets
NUM_CLASSES = 10
"""

# 004_0f56d7ba8f742ccf.txt, lines 107–112.
CIFAR_MLP = """\
model = models.Sequential([
    layers.Flatten(input_shape=(32,32,3)),
    layers.Dense(200, activation='relu'),
    layers.Dense(150, activation='relu'),
    layers.Dense(10, activation='softmax'),
])
"""

# 004_0f56d7ba8f742ccf.txt, lines 117–122.
CIFAR_MLP_FUNCTIONAL = """\
input_layer = layers.Input((32, 32, 3))
x = layers.Flatten()(input_layer)
x = layers.Dense(200, activation="relu")(x)
x = layers.Dense(150, activation="relu")(x)
output_layer = layers.Dense(NUM_CLASSES, activation="softmax")(x)
model = models.Model(input_layer, output_layer)
"""

# 004_0f56d7ba8f742ccf.txt, lines 146–150.
ACTIVATION_TWO_WAYS = """\
# 方法1
x = layers.Dense(units=200, activation = 'relu')(x)
# 方法2
x = layers.Dense(units=200)(x)
x = layers.Activation('relu')(x)
"""

# 003_5d2e666be600f520.txt, lines 405, 493, 501 and 509: single layers in the prose.
LINE_405 = ("layers.Conv2D(filters=16,kernel_size=(9,9), strides=(2,2), "
            "activation='relu', input_shape=(32,32,3))")
LINE_493 = ("layers.Conv2D(16,(9,9), strides=(2,2), activation='relu', "
            "padding=’valid’, input_shape=(32,32,3))")
LINE_501 = "layers.Conv2D(32, (7,7), activation='relu', padding=’valid’)"
LINE_509 = "layers.Conv2D(64, (7,7), activation='relu', padding=’valid’), "

# 000_1deda41eecd8745e.txt shows its code as images; these are rebuilt from its
# prose (models.Sequential() then add, layers.Dense, input_shape=[1], units=1;
# Input → Flatten → Dense 200/150/10; two Conv2D of 10 and 20 filters; four
# Conv2D + BatchNormalization + LeakyReLU, Dense 128, Dropout) and checked below
# against the parameter counts the article prints.
ARTICLE_LINEAR = """\
model = models.Sequential()
model.add(layers.Dense(units=1, input_shape=[1]))
"""
ARTICLE_SMALL_CNN = """\
input_layer = layers.Input(shape=(32, 32, 3))
conv_layer_1 = layers.Conv2D(filters=10, kernel_size=(4, 4), strides=2,
                             padding="same")(input_layer)
conv_layer_2 = layers.Conv2D(filters=20, kernel_size=(3, 3), strides=2,
                             padding="same")(conv_layer_1)
flatten_layer = layers.Flatten()(conv_layer_2)
output_layer = layers.Dense(units=10, activation="softmax")(flatten_layer)
model = models.Model(input_layer, output_layer)
"""
ARTICLE_FULL_CNN = """\
NUM_CLASSES = 10
input_layer = layers.Input((32, 32, 3))
x = layers.Conv2D(filters=32, kernel_size=3, strides=1, padding="same")(input_layer)
x = layers.BatchNormalization()(x)
x = layers.LeakyReLU()(x)
x = layers.Conv2D(filters=32, kernel_size=3, strides=2, padding="same")(x)
x = layers.BatchNormalization()(x)
x = layers.LeakyReLU()(x)
x = layers.Conv2D(filters=64, kernel_size=3, strides=1, padding="same")(x)
x = layers.BatchNormalization()(x)
x = layers.LeakyReLU()(x)
x = layers.Conv2D(filters=64, kernel_size=3, strides=2, padding="same")(x)
x = layers.BatchNormalization()(x)
x = layers.LeakyReLU()(x)
x = layers.Flatten()(x)
x = layers.Dense(128)(x)
x = layers.BatchNormalization()(x)
x = layers.LeakyReLU()(x)
x = layers.Dropout(rate=0.5)(x)
x = layers.Dense(NUM_CLASSES)(x)
output_layer = layers.Activation("softmax")(x)
model = models.Model(input_layer, output_layer)
"""


def kinds(layers: list[LayerSpec]) -> list[str]:
    return [layer.kind for layer in layers]


def column(layers: list[LayerSpec], argument: str) -> list:
    return [layer.args[argument] for layer in layers if argument in layer.args]


def count_params(shape: tuple, layers: list[LayerSpec]) -> int:
    """Parameters of a small chain, by the textbook formulas (the article's oracle)."""
    total = 0
    for layer in layers:
        args = layer.args
        if layer.kind == "Conv2D":
            (kh, kw), (sh, sw) = args["kernel_size"], args["strides"]
            total += (kh * kw * shape[-1] + 1) * args["filters"]
            size = [-(-n // s) if args["padding"] == "same" else (n - k) // s + 1
                    for n, k, s in zip(shape[:2], (kh, kw), (sh, sw), strict=True)]
            shape = (*size, args["filters"])
        elif layer.kind == "Dense":
            total += (shape[-1] + 1) * args["units"]
            shape = (*shape[:-1], args["units"])
        elif layer.kind == "BatchNormalization":
            total += 4 * shape[-1]
        elif layer.kind == "Flatten":
            product = 1
            for size in shape:
                product *= size
            shape = (product,)
    return total


def error_of(text: str) -> ArchitectureError:
    with pytest.raises(ArchitectureError) as caught:
        parse_keras_code(text)
    return caught.value


# --- the course's listings -------------------------------------------------------


@pytest.mark.parametrize("listing", [FASHION_ADD, FASHION_LIST])
def test_fashion_mnist_mlp_both_ways(listing):
    shape, layers = parse_keras_code(listing)
    assert shape == (28, 28)
    assert kinds(layers) == ["Flatten", "Dense", "Dense", "Dense"]
    assert column(layers, "units") == [300, 100, 10]
    assert column(layers, "activation") == ["relu", "relu", "softmax"]


def test_housing_regression_needs_the_shape_written_out():
    error = error_of(HOUSING_REGRESSION)
    assert (error.code, error.details["line"]) == ("unsupported_value", 3)
    assert error.details["text"] == "X_train.shape[1:]"
    shape, layers = parse_keras_code(
        HOUSING_REGRESSION.replace("X_train.shape[1:]", "(8,)"))
    assert shape == (8,) and column(layers, "units") == [30, 1]


def test_wide_and_deep_concatenates_the_input_with_the_deep_path():
    error = error_of(WIDE_DEEP)
    assert (error.code, error.details["line"]) == ("unsupported_value", 1)
    shape, layers = parse_keras_code(WIDE_DEEP.replace("X_train.shape[1:]", "[8]"))
    assert shape == (8,)
    assert kinds(layers) == ["Dense", "Dense", "Concatenate", "Dense"]
    assert layers[2].inputs == (-1, 1)
    assert [layer.inputs for layer in layers[:2] + layers[3:]] == [(), (), ()]


def test_two_input_wide_and_deep_is_refused_at_the_model_line():
    error = error_of(WIDE_DEEP_TWO_INPUTS)
    assert (error.code, error.details["line"]) == ("several_inputs", 8)


def test_denoising_autoencoder_with_callouts():
    shape, layers = parse_keras_code(AUTOENCODER_4_1)
    assert shape == (784,)
    assert column(layers, "units") == [64, 32, 64, 784]
    assert column(layers, "activation") == ["relu", "relu", "relu", "tanh"]


def test_listing_4_2_with_typographic_quotes():
    shape, layers = parse_keras_code(CNN_4_2)
    assert shape == (32, 32, 3)
    assert kinds(layers) == ["Conv2D"] * 3 + ["Flatten", "Dense", "Dense"]
    assert column(layers, "filters") == [16, 32, 64]
    assert column(layers, "kernel_size")[:3] == [(9, 9), (7, 7), (7, 7)]
    assert column(layers, "strides") == [(2, 2), (1, 1), (1, 1)]
    assert column(layers, "padding") == ["valid"] * 3


def test_listing_4_3_reads_maxpool2d_as_maxpooling2d():
    shape, layers = parse_keras_code(CNN_4_3)
    assert shape == (32, 32, 3)
    assert kinds(layers) == ["Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D",
                             "Flatten", "Dense", "Dense", "Dense"]
    assert column(layers, "pool_size") == [(2, 2), (2, 2)]
    assert layers[1].args["strides"] == (2, 2) and layers[1].args["padding"] == "same"
    assert column(layers, "units") == [64, 32, 10]


def test_exercise_2_is_an_unassigned_sequential():
    shape, layers = parse_keras_code(EXERCISE_2)
    assert shape == (64, 64, 3)
    assert kinds(layers) == ["Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D",
                             "Conv2D"]
    assert layers[0].args["activation"] is None
    assert layers[1].args["pool_size"] == (3, 3)
    assert layers[4].args["strides"] == (2, 2)


@pytest.mark.parametrize(("line", "shape", "filters"), [
    (LINE_405, (32, 32, 3), 16), (LINE_493, (32, 32, 3), 16),
    (LINE_501, None, 32), (LINE_509, None, 64)])
def test_single_layer_lines_from_the_prose(line, shape, filters):
    assert parse_keras_code(line)[0] == shape
    assert column(parse_keras_code(line)[1], "filters") == [filters]


def test_the_three_prose_lines_of_listing_4_2_read_as_one_network():
    shape, layers = parse_keras_code("\n".join([LINE_493, LINE_501, LINE_509]))
    assert shape == (32, 32, 3) and column(layers, "filters") == [16, 32, 64]


def test_cifar_mlp_is_the_same_model_both_ways():
    sequential = parse_keras_code(CIFAR_MLP)
    assert sequential[0] == (32, 32, 3)
    assert column(sequential[1], "units") == [200, 150, 10]
    functional = parse_keras_code(CIFAR_IMPORTS + CIFAR_MLP_FUNCTIONAL)
    assert functional == sequential


def test_functional_mlp_alone_lacks_num_classes_from_an_earlier_block():
    error = error_of(CIFAR_MLP_FUNCTIONAL)
    assert error.code == "unsupported_value"
    assert (error.details["line"], error.details["text"]) == (5, "NUM_CLASSES")


def test_activation_two_ways_fragment_has_no_input():
    shape, layers = parse_keras_code(ACTIVATION_TWO_WAYS)
    assert shape is None
    assert kinds(layers) == ["Dense", "Dense", "Activation"]
    assert column(layers, "activation") == ["relu", None, "relu"]


@pytest.mark.parametrize(("code", "shape", "params"), [
    (ARTICLE_LINEAR, (1,), 2), (CIFAR_MLP, (32, 32, 3), 646_260),
    (ARTICLE_SMALL_CNN, (32, 32, 3), 15_120),
    (ARTICLE_FULL_CNN, (32, 32, 3), 592_554)])
def test_rebuilt_article_models_match_its_printed_parameter_counts(
        code, shape, params):
    parsed_shape, layers = parse_keras_code(code)
    assert parsed_shape == shape
    assert count_params(shape, layers) == params


def test_full_cnn_layers():
    layers = parse_keras_code(ARTICLE_FULL_CNN)[1]
    assert kinds(layers).count("BatchNormalization") == 5
    assert kinds(layers).count("LeakyReLU") == 5
    assert layers[-3].args["rate"] == 0.5 and layers[-1].args["activation"] == "softmax"
    slope = LAYER_KINDS["LeakyReLU"]["negative_slope"]
    assert all(layer.args["negative_slope"] == slope for layer in layers
               if layer.kind == "LeakyReLU")


# --- forms students paste ---------------------------------------------------------

DENSE = make_layer("Dense", (10,), {"activation": "softmax"})


@pytest.mark.parametrize("model", [
    "keras.Sequential([{}])", "models.Sequential([{}])", "tf.keras.Sequential([{}])",
    "Sequential([{}])", "Sequential(layers=[{}], name='mlp')",
    "tf.keras.models.Sequential(({},))"])
@pytest.mark.parametrize("layer", [
    "keras.layers.Dense(10, activation='softmax')",
    "tf.keras.layers.Dense(10, activation='softmax')",
    "layers.Dense(10, activation='softmax')", "Dense(units=10, activation='softmax')",
    "kl.Dense(10, 'softmax')"])
def test_every_spelling_of_sequential_and_layer(model, layer):
    assert parse_keras_code("m = " + model.format(layer)) == (None, [DENSE])


@pytest.mark.parametrize("name", ["model", "net", "cnn"])
def test_empty_sequential_then_add_under_any_name(name):
    code = f"{name} = Sequential()\n{name}.add(Dense(10, activation='softmax'))"
    assert parse_keras_code(code) == (None, [DENSE])


@pytest.mark.parametrize("imports", ["from tensorflow.keras import layers as kl",
                                     "import tensorflow.keras.layers as kl"])
def test_layer_module_aliases_from_imports(imports):
    shape, layers = parse_keras_code(f"{imports}\nkl.Conv2D(8, 3)\nkl.Flatten()")
    assert kinds(layers) == ["Conv2D", "Flatten"]


@pytest.mark.parametrize("alias", sorted(ALIASES))
def test_every_alias_becomes_its_keras_name(alias):
    defaults = LAYER_KINDS[ALIASES[alias]].values()
    needs = tuple(2 for default in defaults if default is REQUIRED)
    arguments = ", ".join(map(repr, needs))
    layers = parse_keras_code(f"Sequential([layers.{alias}({arguments})])")[1]
    assert layers == [make_layer(alias, needs)]
    assert layers[0].kind == ALIASES[alias]


@pytest.mark.parametrize(("code", "shape"), [
    ("Sequential([Flatten(input_shape=[28, 28]), Dense(3)])", (28, 28)),
    ("Sequential([keras.Input(shape=(28, 28)), Flatten(), Dense(3)])", (28, 28)),
    ("Sequential([Input((28, 28), batch_size=32, name='x'), Flatten(), Dense(3)])",
     (28, 28)),
    ("Sequential([layers.Input(shape=784), Dense(3)])", (784,)),
    ("N = 784\nSequential([layers.Input(shape=N), Dense(3)])", (784,)),
    ("Sequential([keras.layers.InputLayer(input_shape=(28, 28)), Dense(3)])",
     (28, 28)),
    ("Sequential([Dense(3, batch_input_shape=(None, 28))])", (28,)),
    ("Sequential([Dense(3, input_dim=20)])", (20,)),
    ("m = Sequential()\nm.add(Dense(3))\nm.build((None, 5))", (5,)),
    ("m = Sequential()\nm.add(Dense(3))\nm.build(input_shape=[None, 5])", (5,)),
    ("Sequential([LSTM(8, input_shape=(None, 3)), Dense(3)])", (None, 3)),
    ("inp = keras.Input(shape=(None, 3))\nSequential([inp, Dense(3)])", (None, 3)),
    ("Sequential([Dense(3)])", None)])
def test_input_shape_styles(code, shape):
    parsed_shape, layers = parse_keras_code(code)
    assert parsed_shape == shape
    assert layers[-1] == make_layer("Dense", (3,))
    assert all("input_shape" not in layer.args for layer in layers)


def test_embedding_keeps_its_own_input_dim():
    shape, layers = parse_keras_code("Sequential([Embedding(input_dim=1000, "
                                     "output_dim=16), SimpleRNN(4)])")
    assert shape is None and layers[0].args["input_dim"] == 1000


def test_input_after_a_layer_is_refused():
    error = error_of("Sequential([\nDense(3),\nInput((4,)),\n])")
    assert (error.code, error.details["line"]) == ("misplaced_input", 3)


def test_unknown_input_argument():
    error = error_of("Sequential([Input(shape=(4,), colour=1), Dense(3)])")
    assert error.code == "unknown_argument" and error.details["argument"] == "colour"


# --- functional models ------------------------------------------------------------

FUNCTIONAL = """\
inputs = keras.Input(shape=(32, 32, 3))
x = layers.Conv2D(16, 3, activation="relu")(inputs)
unused = layers.Dense(99)(x)
x = layers.Flatten()(x)
outputs = layers.Dense(10)(x)
model = keras.Model({})
model.compile(optimizer="adam")
"""


@pytest.mark.parametrize("arguments", ["inputs, outputs",
                                       "inputs=inputs, outputs=outputs",
                                       "inputs=[inputs], outputs=[outputs]"])
def test_functional_chain_follows_the_outputs_back(arguments):
    shape, layers = parse_keras_code(FUNCTIONAL.format(arguments))
    assert shape == (32, 32, 3)
    assert layers == [make_layer("Conv2D", (16, 3), {"activation": "relu"}),
                      make_layer("Flatten"), make_layer("Dense", (10,))]


@pytest.mark.parametrize("join", ["layers.Concatenate(axis=-1)([x, y])",
                                  "layers.concatenate([x, y], axis=-1)",
                                  "concatenate([x, y], -1)"])
def test_concatenate_names_the_layers_it_joins(join):
    code = ("a = Input((8,))\nx = Dense(4)(a)\ny = Dense(5)(x)\nz = " + join
            + "\nout = Dense(1)(z)\nm = Model(a, out)")
    layers = parse_keras_code(code)[1]
    assert kinds(layers) == ["Dense", "Dense", "Concatenate", "Dense"]
    assert layers[2] == make_layer("Concatenate", (), {"axis": -1}, inputs=(0, 1))


def test_a_layer_object_applied_later():
    code = ("dense = layers.Dense(7)\ninp = Input((3,))\nout = dense(inp)\n"
            "Model(inp, out)")
    assert parse_keras_code(code) == ((3,), [make_layer("Dense", (7,))])


def test_renamed_tensors_stay_the_same_tensor():
    code = "a = Input((3,))\nb = a\nx = Dense(2)(b)\ny = x\nModel(a, y)"
    assert parse_keras_code(code) == ((3,), [make_layer("Dense", (2,))])


def test_a_model_inside_a_model_is_refused():
    code = "inp = Input((3,))\nx = Sequential([Dense(3)])(inp)\nModel(inp, x)"
    error = error_of(code)
    assert (error.code, error.details["line"]) == ("unsupported_call", 2)


def test_nested_calls_inside_the_model():
    code = "inp = Input((3,))\nModel(inp, Dense(2)(Dense(5)(inp)))"
    assert column(parse_keras_code(code)[1], "units") == [5, 2]


def test_parallel_branches_are_not_a_chain():
    code = ("a = Input((8,))\nx = Dense(4)(a)\ny = Dense(5)(a)\n"
            "z = Concatenate()([x, y])\nModel(a, z)")
    error = error_of(code)
    assert (error.code, error.details["line"]) == ("not_a_chain", 3)


def test_several_outputs_are_refused():
    error = error_of("a = Input((8,))\nx = Dense(4)(a)\nModel(a, [x, a])")
    assert (error.code, error.details["line"]) == ("several_outputs", 3)


def test_unreadable_tensor_in_the_chain_points_at_it():
    code = "a = Input((8,))\nx = tf.reshape(a, (2, 4))\ny = Dense(4)(x)\nModel(a, y)"
    error = error_of(code)
    assert (error.code, error.details["line"]) == ("unsupported_value", 2)


def test_a_model_needs_its_names_defined():
    error = error_of("x = Input((3,))\nout = Dense(2)(x)\nm = Model(x, output)")
    assert error.code == "unsupported_value"
    assert (error.details["line"], error.details["text"]) == (3, "output")


def test_two_models_are_refused():
    error = error_of(CIFAR_MLP + CIFAR_IMPORTS + CIFAR_MLP_FUNCTIONAL)
    assert error.code == "several_models"
    assert (error.details["first_line"], error.details["line"]) == (1, 16)


# --- values -----------------------------------------------------------------------


def test_constants_and_arithmetic():
    code = """\
NUM_CLASSES = 10
IMG: tuple = (32, 32, 3)
HIDDEN = NUM_CLASSES * 2 - 4
model = Sequential([
    Input(shape=IMG),
    Conv2D(64 // 2, (3, 3), padding="same"),
    Dropout(1 / 4),
    Dense(HIDDEN, activation=keras.activations.relu),
    Dense(+NUM_CLASSES, activation=tf.nn.softmax),
    Reshape((-1, 2)),
])
"""
    shape, layers = parse_keras_code(code)
    assert shape == (32, 32, 3)
    assert layers[0].args["filters"] == 32 and layers[1].args["rate"] == 0.25
    assert column(layers, "units") == [16, 10]
    assert column(layers, "activation")[1:] == ["relu", "softmax"]
    assert layers[4].args["target_shape"] == (-1, 2)


@pytest.mark.parametrize(("code", "line", "text"), [
    ("model = Sequential([\n  Dense(units)\n])", 2, "units"),
    ("n = len(x)\nSequential([Dense(n)])", 1, "len(x)"),
    ("Sequential([Dense('1' + '0')])", 1, "'1' + '0'"),
    ("Sequential([Dense(3 // 0)])", 1, "3 // 0"),
    ("N = 10 ** 6\nSequential([Dense(N)])", 1, "10 ** 6"),
    ("a = 999999 * 999999\nb = a * a\nSequential([Dense(b)])", 2, "a * a"),
    ("Sequential([Dense(3, activation=relu)])", 1, "relu"),
    ("Sequential([Dense(**options)])", 1, "options"),
    ("a, b = 3, 4\nSequential([Dense(a)])", 1, "3, 4"),
    ("n = 3\nn += 1\nSequential([Dense(n)])", 2, "n += 1")])
def test_values_only_running_could_tell(code, line, text):
    error = error_of(code)
    assert error.code == "unsupported_value"
    assert (error.details["line"], error.details["text"]) == (line, text)


def test_leaky_relu_alpha_is_the_keras_2_name_of_negative_slope():
    layers = parse_keras_code("Sequential([LeakyReLU(alpha=0.1), LeakyReLU(0.2)])")[1]
    assert column(layers, "negative_slope") == [0.1, 0.2]
    assert error_of("Sequential([Dense(3, alpha=0.1)])").code == "unknown_argument"
    assert error_of("Sequential([LeakyReLU(alpha=0.1, negative_slope=0.2)])"
                    ).code == "duplicate_argument"


def test_the_brief_s_examples():
    code = """\
Sequential([Conv2D(32, (3, 3), activation='relu', padding='same'),
Conv2D(filters=16, kernel_size=3, strides=2, padding="same"),
MaxPooling2D(pool_size=(2,2)), BatchNormalization(), Activation('relu'),
Dropout(0.25), Flatten(), Dense(NUM_CLASSES, activation="softmax")])
"""
    layers = parse_keras_code("NUM_CLASSES = 10\n" + code)[1]
    assert layers[0].args["kernel_size"] == (3, 3)
    assert layers[1].args["kernel_size"] == (3, 3)
    assert layers[1].args["strides"] == (2, 2)
    assert layers[2].args["strides"] is None
    assert kinds(layers)[3:] == ["BatchNormalization", "Activation", "Dropout",
                                 "Flatten", "Dense"]


# --- web copy artefacts -----------------------------------------------------------


def test_typographic_quotes_and_odd_spaces():
    code = "model = Sequential([\u00a0Dense(4,\u3000activation=“relu”),\n" \
           "Conv2D(2, 3, padding=‘same’)，Dense(−1)])"
    layers = parse_keras_code(code)[1]
    assert layers[0].args["activation"] == "relu"
    assert layers[1].args["padding"] == "same" and layers[2].args["units"] == -1


def test_doctest_prompts_and_printed_output():
    code = """\
>>> from tensorflow import keras
>>> model = keras.Sequential([
...     keras.layers.Dense(4, input_shape=(3,)),
...     keras.layers.Dense(1),
... ])
>>> model.summary()
Model: "sequential"
 Total params: 21
"""
    assert parse_keras_code(code) == ((3,), [make_layer("Dense", (4,)),
                                             make_layer("Dense", (1,))])


def test_ipython_prompts():
    code = "In [1]: m = Sequential([\n   ...:     Dense(4)])\n\nOut[1]: <Sequential>"
    assert parse_keras_code(code) == (None, [make_layer("Dense", (4,))])


def test_markdown_fences_and_prose_around_them():
    code = "Here is my model:\n\n```python\n    model = Sequential([\n" \
           "        Dense(4),\n    ])\n```\nIt fails, why?"
    assert parse_keras_code(code) == (None, [make_layer("Dense", (4,))])


def test_cleaning_keeps_every_line_in_place():
    cleaned, cut = clean_code("```\n>>> a = 1\n... b = 2\n```")
    assert cleaned.split("\n") == ["", "a = 1", "b = 2", ""]
    assert cut == [0, 4, 4, 0]


def test_syntax_error_points_at_the_pasted_line_and_column():
    code = "Some prose.\n```python\n  model = Sequential([\n    Dense(4,,)\n  ])\n```"
    error = error_of(code)
    assert error.code == "syntax_error" and isinstance(error, CodeError)
    assert error.details["line"] == 4 and error.details["text"] == "Dense(4,,)"
    assert code.split("\n")[3][error.details["column"] - 1] == ","


def test_syntax_error_after_a_prompt_counts_the_prompt():
    code = ">>> model = Sequential([\n...     Dense(3,,),\n... ])"
    error = error_of(code)
    assert error.code == "syntax_error" and error.details["line"] == 2
    assert code.split("\n")[1][error.details["column"] - 1] == ","


# --- errors -----------------------------------------------------------------------


def test_unknown_layer_is_named_with_its_line():
    error = error_of("model = keras.Sequential([\n    layers.Dense(4),\n"
                     "    layers.Conv3D(8, 3),\n])")
    assert error.code == "unknown_layer"
    assert (error.details["line"], error.details["kind"]) == (3, "Conv3D")


def test_unknown_argument_is_named_with_its_line():
    error = error_of("m = Sequential()\nm.add(Dense(4))\n"
                     "m.add(Dense(4, activaton='relu'))")
    assert error.code == "unknown_argument"
    assert (error.details["line"], error.details["argument"]) == (3, "activaton")


def test_missing_argument():
    error = error_of("Sequential([Conv2D(8)])")
    assert error.code == "missing_argument"
    assert error.details["argument"] == "kernel_size"


@pytest.mark.parametrize("code", [
    "__import__('os').system('rm -rf /')",
    "eval('1')\nSequential([Dense(3)])",
    "exec('import os')",
    "Sequential([Dense(units=(lambda: 3)())])",
    "().__class__.__bases__[0].__subclasses__()",
    "Sequential([Dense(getattr(os, 'system')('ls'))])",
    "with open('/etc/passwd') as f:\n    pass",
    "x = [c for c in ().__class__.__mro__]",
    "Sequential([Dense(__builtins__)])"])
def test_forbidden_payloads(code):
    error = error_of(code)
    assert error.code == "forbidden" and error.details["line"] >= 1
    assert isinstance(error, CodeError) and error.layer_index is None


def test_nothing_is_ever_run(tmp_path, monkeypatch):
    """Payloads that would write a file do not, and no code object is ever made."""
    target = tmp_path / "ran.txt"
    real_compile = builtins.compile

    def compile_ast_only(source, filename, mode, flags=0, *args, **kwargs):
        assert flags & ast.PyCF_ONLY_AST, "something was compiled to run"
        return real_compile(source, filename, mode, flags, *args, **kwargs)

    def never(*args, **kwargs):
        raise AssertionError("eval/exec was called")

    monkeypatch.setattr(builtins, "compile", compile_ast_only)
    monkeypatch.setattr(builtins, "eval", never)
    monkeypatch.setattr(builtins, "exec", never)
    payloads = [
        f"__import__('pathlib').Path({str(target)!r}).write_text('x')",
        f"Sequential([Dense(units=(lambda: open({str(target)!r}, 'w'))())])",
        f"Sequential([Dense(exec(\"open({str(target)!r}, 'w')\"))])",
        f"import pathlib\npathlib.Path({str(target)!r}).touch()\n"
        "Sequential([Dense(3)])",
        f"Sequential([Dense(pathlib.Path({str(target)!r}).touch())])",
    ]
    for payload in payloads:
        try:
            parse_keras_code(payload)
        except ArchitectureError:
            pass
    assert not target.exists()


@pytest.mark.parametrize(("code", "line", "statement"), [
    ("model = Sequential()\nfor f in [32, 64]:\n    model.add(Conv2D(f, 3))", 2, "for"),
    ("x = Input((3,))\nwhile True:\n    x = Dense(3)(x)", 2, "while"),
    ("if big:\n    model = Sequential([Dense(3)])", 1, "if"),
    ("def build():\n    return keras.Sequential([layers.Dense(3)])", 1, "def"),
    ("class Net(keras.Model):\n    def __init__(self):\n        self.d = Dense(3)",
     1, "class"),
    ("with strategy.scope():\n    model = Sequential([Dense(3)])", 1, "with"),
    ("x = Input((3,))\nmatch size:\n    case 1:\n        x = Dense(3)(x)", 2,
     "match")])
def test_layers_built_in_blocks_are_refused(code, line, statement):
    error = error_of(code)
    assert error.code == "unsupported_statement"
    assert (error.details["line"], error.details["statement"]) == (line, statement)


def test_unrelated_statements_and_blocks_are_skipped():
    code = CIFAR_IMPORTS + """\
(x_train, y_train), (x_test, y_test) = datasets.cifar10.load_data()
x_train = x_train.astype("float32") / 255.0
for i, idx in enumerate(range(3)):
    ax = fig.add_subplot(1, 3, i + 1)
if __name__ == "__main__":
    print(x_train.shape)
""" + CIFAR_MLP + """\
opt = optimizers.Adam(learning_rate=0.0005)
model.compile(loss="categorical_crossentropy", optimizer=opt)
model.fit(x_train, y_train, batch_size=32, epochs=20, shuffle=True)
print(model.summary())
"""
    assert parse_keras_code(code) == parse_keras_code(CIFAR_MLP)


@pytest.mark.parametrize("code", ["", "   \n\n", "import numpy as np\nx = 3",
                                  "print('hello')", "model = Sequential()"])
def test_no_model_is_not_keras(code):
    error = error_of(code)
    assert error.code == "not_keras" and error.details["line"] is None


def test_too_deep_to_read():
    assert error_of("x = " + "-" * 100_000 + "1").code == "too_complex"


@pytest.mark.parametrize("code", sorted(PARSE_MESSAGES))
def test_every_message_formats(code):
    details = {"line": 3, "column": 5, "text": "x", "call": "f()", "statement": "for",
               "first_line": 1, "kind": "Dense"}
    error = CodeError(code, **details)
    assert error.code == code and error.details["line"] == 3
    assert str(error) == PARSE_MESSAGES[code].format(**details)


def test_docstring_examples():
    assert doctest.testmod(core.keras_parser).failed == 0


# --- properties -------------------------------------------------------------------

VALUES = st.one_of(
    st.integers(-3, 500), st.booleans(), st.none(),
    st.floats(0, 1, allow_nan=False), st.tuples(st.integers(1, 9), st.integers(1, 9)),
    st.sampled_from(["relu", "tanh", "same", "valid", "channels_last"]))
PREFIXES = ["", "layers.", "keras.layers.", "tf.keras.layers.", "kl."]


@st.composite
def layer_calls(draw) -> tuple[str, LayerSpec]:
    """A random layer written as code, and the LayerSpec it must become."""
    kind = draw(st.sampled_from(sorted(LAYER_KINDS)))
    names = list(LAYER_KINDS[kind])
    values = {name: draw(VALUES) for name in names
              if LAYER_KINDS[kind][name] is REQUIRED or draw(st.booleans())}
    count = 0
    limit = draw(st.integers(0, len(names)))
    while count < limit and names[count] in values:
        count += 1
    positional = [values[name] for name in names[:count]]
    keywords = {name: value for name, value in values.items()
                if name not in names[:count]}
    written = [repr(value) for value in positional]
    written += [f"{name}={value!r}" for name, value in keywords.items()]
    code = f"{draw(st.sampled_from(PREFIXES))}{kind}({', '.join(written)})"
    return code, make_layer(kind, tuple(positional), keywords)


@given(st.lists(layer_calls(), min_size=1, max_size=6), st.booleans(),
       st.one_of(st.none(), st.lists(st.integers(1, 64), min_size=1, max_size=3)))
@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
def test_generated_sequential_code_round_trips(calls, with_add, shape):
    header = "from tensorflow.keras import layers as kl\n"
    items = [code for code, _ in calls]
    if shape is not None:
        items.insert(0, f"keras.Input(shape={tuple(shape)!r})")
    if with_add:
        body = "net = keras.Sequential()\n" + "".join(
            f"net.add({item})\n" for item in items)
    else:
        body = "net = keras.Sequential([\n    " + ",\n    ".join(items) + "\n])\n"
    assert parse_keras_code(header + body) == (
        None if shape is None else tuple(shape), [spec for _, spec in calls])


TOKENS = [*"()[]{}=,.:;'\"\n >-+*/#_0123456789", "Dense", "Input", "x", "Model",
          "Sequential", "layers.", "lambda", "for ", ".add", "    ", "```", ">>> ", "“"]


@pytest.mark.filterwarnings("ignore::SyntaxWarning")
@given(st.lists(st.sampled_from(TOKENS), max_size=40).map("".join))
@settings(max_examples=300, deadline=None)
def test_any_text_reads_or_raises_an_architecture_error(text):
    try:
        shape, layers = parse_keras_code(text)
    except ArchitectureError as error:
        assert error.code in PARSE_MESSAGES or error.code in {
            "unknown_layer", "unknown_argument", "missing_argument",
            "too_many_arguments", "duplicate_argument"}
        assert "line" in error.details
    else:
        assert shape is None or isinstance(shape, tuple)
        assert all(isinstance(layer, LayerSpec) for layer in layers)


@given(st.text(max_size=80))
def test_cleaning_never_moves_lines(text):
    cleaned, cut = clean_code(text)
    assert cleaned.count("\n") == len(cut) - 1
    assert len(cut) == text.count("\n") + text.count("\r") - text.count("\r\n") + 1

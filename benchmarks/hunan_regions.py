"""Hunan's 14 cities and 122 county-level divisions (GB/T 2260 codes and names), for the scale benchmark.

knowledge/regions.yaml lists only 长沙市 and 株洲市 with their districts, and the other cities; the synthetic
knowledge of benchmarks/scale.py needs every county. This table was written from general knowledge of the
public administrative division codes (as of the 2021 changes: 邵东市 430582, 祁阳市 431181), not copied from
a file here; it is benchmark data only, not part of the knowledge base. Short names are the forms people
use; a county whose short form would be another region's name (衡阳县 → 衡阳) or an everyday word
(会同, 通道, 中方, 石门, 凤凰) gets none, and one-character forms (攸, 澧) are never used.
"""

from __future__ import annotations

# code name short ("-": none); the parent is the code's city (4331xx → 433100)
_TABLE = """
430100 长沙市 长沙
430102 芙蓉区 芙蓉
430103 天心区 天心
430104 岳麓区 岳麓
430105 开福区 开福
430111 雨花区 雨花
430112 望城区 望城
430121 长沙县 星沙
430181 浏阳市 浏阳
430182 宁乡市 宁乡
430200 株洲市 株洲
430202 荷塘区 荷塘
430203 芦淞区 芦淞
430204 石峰区 石峰
430211 天元区 天元
430212 渌口区 渌口
430223 攸县 -
430224 茶陵县 茶陵
430225 炎陵县 炎陵
430281 醴陵市 醴陵
430300 湘潭市 湘潭
430302 雨湖区 雨湖
430304 岳塘区 岳塘
430321 湘潭县 -
430381 湘乡市 湘乡
430382 韶山市 韶山
430400 衡阳市 衡阳
430405 珠晖区 珠晖
430406 雁峰区 雁峰
430407 石鼓区 石鼓
430408 蒸湘区 蒸湘
430412 南岳区 南岳
430421 衡阳县 -
430422 衡南县 衡南
430423 衡山县 衡山
430424 衡东县 衡东
430426 祁东县 祁东
430481 耒阳市 耒阳
430482 常宁市 常宁
430500 邵阳市 邵阳
430502 双清区 双清
430503 大祥区 大祥
430511 北塔区 北塔
430522 新邵县 新邵
430523 邵阳县 -
430524 隆回县 隆回
430525 洞口县 洞口
430527 绥宁县 绥宁
430528 新宁县 新宁
430529 城步苗族自治县 城步
430581 武冈市 武冈
430582 邵东市 邵东
430600 岳阳市 岳阳
430602 岳阳楼区 岳阳楼
430603 云溪区 云溪
430611 君山区 君山
430621 岳阳县 -
430623 华容县 华容
430624 湘阴县 湘阴
430626 平江县 平江
430681 汨罗市 汨罗
430682 临湘市 临湘
430700 常德市 常德
430702 武陵区 武陵
430703 鼎城区 鼎城
430721 安乡县 安乡
430722 汉寿县 汉寿
430723 澧县 -
430724 临澧县 临澧
430725 桃源县 桃源
430726 石门县 -
430781 津市市 津市
430800 张家界市 张家界
430802 永定区 永定
430811 武陵源区 武陵源
430821 慈利县 慈利
430822 桑植县 桑植
430900 益阳市 益阳
430902 资阳区 资阳
430903 赫山区 赫山
430921 南县 -
430922 桃江县 桃江
430923 安化县 安化
430981 沅江市 沅江
431000 郴州市 郴州
431002 北湖区 北湖
431003 苏仙区 苏仙
431021 桂阳县 桂阳
431022 宜章县 宜章
431023 永兴县 永兴
431024 嘉禾县 嘉禾
431025 临武县 临武
431026 汝城县 汝城
431027 桂东县 桂东
431028 安仁县 安仁
431081 资兴市 资兴
431100 永州市 永州
431102 零陵区 零陵
431103 冷水滩区 冷水滩
431122 东安县 东安
431123 双牌县 双牌
431124 道县 -
431125 江永县 江永
431126 宁远县 宁远
431127 蓝山县 蓝山
431128 新田县 新田
431129 江华瑶族自治县 江华
431181 祁阳市 祁阳
431200 怀化市 怀化
431202 鹤城区 鹤城
431221 中方县 -
431222 沅陵县 沅陵
431223 辰溪县 辰溪
431224 溆浦县 溆浦
431225 会同县 -
431226 麻阳苗族自治县 麻阳
431227 新晃侗族自治县 新晃
431228 芷江侗族自治县 芷江
431229 靖州苗族侗族自治县 靖州
431230 通道侗族自治县 -
431281 洪江市 洪江
431300 娄底市 娄底
431302 娄星区 娄星
431321 双峰县 双峰
431322 新化县 新化
431381 冷水江市 冷水江
431382 涟源市 涟源
433100 湘西土家族苗族自治州 湘西
433101 吉首市 -
433122 泸溪县 泸溪
433123 凤凰县 -
433124 花垣县 花垣
433125 保靖县 保靖
433126 古丈县 古丈
433127 永顺县 永顺
433130 龙山县 龙山
"""


def hunan_regions() -> list[dict[str, object]]:
    """Every city and county of Hunan as regions.yaml entries (code, name, short, parent)."""
    out: list[dict[str, object]] = []
    for line in _TABLE.strip().splitlines():
        code, name, short = line.split()
        parent = "430000" if code.endswith("00") else code[:4] + "00"
        out.append({"code": code, "name": name, "short": [] if short == "-" else [short], "parent": parent})
    return out


def merged_regions(existing: list[dict[str, object]]) -> list[dict[str, object]]:
    """The knowledge base's regions, plus the Hunan divisions it lacks (its own entries win)."""
    have = {str(r["code"]) for r in existing}
    return [*existing, *(r for r in hunan_regions() if r["code"] not in have)]
